/**
 * What needs no tensors loads no tensor library: engine/light.ts (the random streams) and
 * `cvr report` (report/, with its bootstrap) resolve neither tfjs nor the native addon, while
 * engine/index.ts does (so the probe is not blind).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOK = fileURLToPath(new URL('./fixtures/heavy-imports.mjs', import.meta.url));

/** The tensor-library imports resolved while importing `module` (a path under the repository). */
function heavyImports(module: string): string[] {
  const r = spawnSync(process.execPath, ['--import', HOOK, '--import', 'tsx', '-e', `await import(${JSON.stringify(`${ROOT}${module}`)})`], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr.split('\n').filter((line) => line.startsWith('HEAVY '));
}

describe('light imports', () => {
  it('engine/index.ts loads tfjs (the probe sees it)', { timeout: 120_000 }, () => {
    expect(heavyImports('src/engine/index.ts').length).toBeGreaterThan(0);
  });

  it.each(['src/engine/light.ts', 'src/cli/commands/report.ts'])('%s loads no tensor library', { timeout: 120_000 }, (module) => {
    expect(heavyImports(module)).toEqual([]);
  });
});
