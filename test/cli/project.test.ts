import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { findProjectRoot } from '../../src/cli/project.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { tempDir } from '../data/files.ts';

function io(cwd: string): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false, cwd, env: {}, out: () => out.join(''), err: () => err.join('') };
}

function events(path: string): { type: string; id?: string }[] {
  return readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; id?: string });
}

describe('cvr init and the project root', () => {
  it('scaffolds a project, refuses to nest one, and never overwrites', async () => {
    const dir = await tempDir('cvr-init-');
    expect(await main(['init', dir], io(dir))).toBe(0);
    for (const f of ['cvr.json', 'pipelines/starter.cvr', 'data/README.md', '.gitignore']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(findProjectRoot(join(dir, 'pipelines'))).toBe(dir);
    const nested = io(dir);
    expect(await main(['init', join(dir, 'pipelines')], nested)).toBe(1);
    expect(nested.err()).toContain('already makes');
    const other = await tempDir('cvr-init-full-');
    await mkdir(join(other, 'something'));
    expect(await main(['init', other], io(other))).toBe(2);
    expect(await main(['init', other, '--force'], io(other))).toBe(0);
    expect(await main(['check', join(dir, 'pipelines', 'starter.cvr')], io(dir))).toBe(0);
    expect(await main(['fmt', '--check', join(dir, 'pipelines', 'starter.cvr')], io(dir))).toBe(0);
  });

  it('a run from a subfolder reuses the cache at the project root', async () => {
    const dir = await tempDir('cvr-project-');
    expect(await main(['init', dir], io(dir))).toBe(0);
    expect(await main(['synth', '--preset', 'tiny', '--out', 'data/tiny'], io(dir))).toBe(0);
    const first = io(dir);
    expect(await main(['run', 'pipelines/starter.cvr', '--engine', 'auto', '--events', 'first.ndjson'], first), first.err()).toBe(0);
    expect(existsSync(join(dir, '.cvr-cache', 'nodes'))).toBe(true);
    // The report node writes into each new run folder, so it runs every time; every other node is cached.
    const computed = (list: { type: string; id?: string }[]): string[] => list.filter((e) => e.type === 'node-done' && e.id !== 'report').map((e) => e.id ?? '');
    const ran = computed(events(join(dir, 'first.ndjson')));
    expect(ran.length).toBeGreaterThan(3);

    const sub = join(dir, 'pipelines');
    const second = io(sub);
    expect(await main(['run', 'starter.cvr', '--engine', 'auto', '--events', 'second.ndjson'], second), second.err()).toBe(0);
    const again = events(join(sub, 'second.ndjson'));
    expect(computed(again)).toEqual([]);
    expect(again.filter((e) => e.type === 'node-cached').map((e) => e.id).sort()).toEqual([...ran].sort());
    expect(existsSync(join(sub, '.cvr-cache'))).toBe(false);
    expect(existsSync(join(dir, 'runs', 'starter'))).toBe(true);
    expect(existsSync(join(sub, 'runs'))).toBe(false);
  }, 240_000);
});
