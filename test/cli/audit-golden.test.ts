/**
 * The human output of `cvr audit` compared whole against a golden file.
 * Regenerate after an intended change with UPDATE_GOLDEN=1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { tempDir, writeTree } from '../data/files.ts';

const GOLDEN = join(import.meta.dirname, 'fixtures', 'audit-holdout.txt');

let root: string;
beforeAll(async () => {
  root = await tempDir('cvr-golden-');
  const files: Record<string, string> = {
    'design.cvr': `pipeline holdout_demo {
  seed 42
  classes covid
  source alpha { folder "data/alpha" map { "normal" -> NOR, "covid" -> CVP, "lateral" -> drop } }
  source beta { manifest "data/beta/list.csv" { image "file" label "finding" patient "pid" } map { "NORMAL" -> NOR, "COVID" -> CVP } }
  source gamma { folder "data/gamma" map { "covid" -> CVP } }
  task NOR vs CVP
  split holdout { test sources gamma  validation 25% stratified }
  model cvrnet { weights none }
}
`,
    'data/beta/list.csv': `file,finding,pid\n${Array.from({ length: 12 }, (_, i) => `b${i}.png,${i < 3 ? 'NORMAL' : 'COVID'},p${i % 6}`).join('\n')}\n`,
  };
  for (let i = 0; i < 10; i++) files[`data/alpha/normal/n${i}.png`] = '';
  for (let i = 0; i < 2; i++) files[`data/alpha/covid/c${i}.png`] = '';
  for (let i = 0; i < 3; i++) files[`data/alpha/lateral/l${i}.png`] = '';
  for (let i = 0; i < 5; i++) files[`data/gamma/covid/g${i}.png`] = '';
  await writeTree(root, files);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('cvr audit human output', () => {
  it('matches the golden file', async () => {
    const out: string[] = [];
    const code = await main(['audit', 'design.cvr', '--metadata-only'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTty: false, cwd: root, env: {} });
    const actual = out.join('');
    if (process.env['UPDATE_GOLDEN'] === '1') await writeFile(GOLDEN, actual);
    expect(code).toBe(0);
    expect(actual).toBe(await readFile(GOLDEN, 'utf8'));
  });
});
