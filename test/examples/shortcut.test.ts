/**
 * examples/shortcut/: every file checks clean, and on the data its `# data:` comment generates
 * the audit predicts what training then shows — the single-source design's score could come from
 * the source alone, the independent design's test sources are unseen (baseline = the prior).
 * Training is left to `npm run demo`; this only runs synth, check and audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { tempDir } from '../data/files.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/shortcut');
let root: string;

async function cvr(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTty: false, cwd: root, env: {} });
  return { code, out: out.join(''), err: err.join('') };
}

async function auditJson(file: string) {
  const { code, out, err } = await cvr(['audit', file, '--metadata-only', '--format', 'json']);
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out);
}

beforeAll(async () => {
  root = await tempDir('cvr-shortcut-');
  for (const f of await readdir(EXAMPLE)) if (f.endsWith('.cvr')) await cp(join(EXAMPLE, f), join(root, f));
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('examples/shortcut', () => {
  it('every file names the same data command, and it runs', async () => {
    const files = (await readdir(EXAMPLE)).filter((f) => f.endsWith('.cvr')).sort();
    expect(files).toEqual(['common.cvr', 'independent.cvr', 'multiple.cvr', 'single.cvr']);
    const commands = new Set<string>();
    for (const f of files) {
      const first = (await readFile(join(EXAMPLE, f), 'utf8')).split('\n')[0] ?? '';
      const match = /^# data: cvr (synth .*)$/.exec(first);
      expect(match, `${f} starts with a # data: comment`).not.toBeNull();
      commands.add(match?.[1] ?? '');
    }
    expect(commands.size).toBe(1);
    const [command] = [...commands];
    const synth = await cvr((command ?? '').split(/\s+/));
    expect(synth.code).toBe(0);
  }, 120_000);

  it('checks clean', async () => {
    const { code, out, err } = await cvr(['check', 'single.cvr', 'multiple.cvr', 'independent.cvr']);
    expect(err).toBe('');
    expect(out).toMatch(/3 pipelines: no problems/);
    expect(code).toBe(0);
  });

  it('the single-source design: the source alone scores ≥ 90 %, flagged as confounded, not independent', async () => {
    const doc = await auditJson('single.cvr');
    expect(doc.baselineFolds).toHaveLength(5);
    expect(doc.sourceOnlyBaseline).toBeGreaterThanOrEqual(0.9);
    expect(doc.independent).toBe(false);
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain('CVR601');
  });

  it('the multiple-source design: a lower baseline than the single one, still not independent', async () => {
    const single = await auditJson('single.cvr');
    const multiple = await auditJson('multiple.cvr');
    expect(multiple.sourceOnlyBaseline).toBeLessThan(single.sourceOnlyBaseline);
    expect(multiple.independent).toBe(false);
  });

  it('the independent design: unseen test sources, so the baseline is the training prior', async () => {
    const doc = await auditJson('independent.cvr');
    expect(doc.independent).toBe(true);
    const [fold] = doc.baselineFolds;
    expect(fold.rule).toEqual({ 'external-a': { class: 'NOR', from: 'prior' }, 'external-b': { class: 'NOR', from: 'prior' } });
    // Both external sources hold as many NOR as CVP images: the prior scores one half.
    expect(doc.sourceOnlyBaseline).toBeCloseTo(0.5, 12);
    expect(doc.findings.map((f: { code: string }) => f.code)).not.toContain('CVR601');
  });
});
