/**
 * Two runs of one pipeline on constructed images that carry no class signal at all (grey noise,
 * test/probes/fixtures.ts plant `none`), with every probe, each with a fresh cache, and a
 * learning rate (1e-7) at which no weight moves far enough to learn anything in 2 epochs:
 * - the same seed gives the same probe numbers (metrics.json `probes`, deep-equal);
 * - a masked model that cannot beat the class prior on its own training images says so (CVR694,
 *   a note) instead of its score near chance passing for evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWith } from '../../src/cli/commands/run.ts';
import { realRunDeps } from '../../src/run/wiring.ts';
import type { MetricsFile } from '../../src/evaluate/types.ts';
import { tempDir } from '../run/helpers.ts';
import { plantedPipeline, writePlanted } from './fixtures.ts';

let dir = '';
let dispose = (): void => undefined;
const runs: { code: number; output: string; probes?: MetricsFile['probes'] }[] = [];

beforeAll(async () => {
  ({ dir, dispose } = tempDir('stalled'));
  await writePlanted(dir, 'none', 40);
  writeFileSync(join(dir, 'p.cvr'), plantedPipeline('source_probe periphery_only lung_only gradcam_in_lungs { bootstrap 200 }', { epochs: 2, lr: '1e-7' }));
  for (const name of ['first', 'second']) {
    mkdirSync(join(dir, name));
    let output = '';
    const io = { stdout: (t: string) => (output += t), stderr: (t: string) => (output += t), isTty: false, cwd: dir, env: {} };
    const code = await runWith(['p.cvr', '--cache', `${name}/cache`, '--out', `${name}/run`], io, realRunDeps());
    const probes = code === 0 ? (JSON.parse(readFileSync(join(dir, name, 'run', 'metrics.json'), 'utf8')) as MetricsFile).probes : undefined;
    runs.push({ code, output, ...(probes && { probes }) });
  }
}, 1_800_000);
afterAll(() => dispose());

describe('probes without any signal', () => {
  it('give the same numbers for the same seed, each run with its own cache', () => {
    for (const r of runs) expect(r.code, r.output).toBe(0);
    expect(runs[1]!.probes).toEqual(runs[0]!.probes);
    expect(Object.keys(runs[0]!.probes!).sort()).toEqual(['gradcam_in_lungs', 'lung_only', 'periphery_only', 'source_probe']);
  });

  it('say that a masked model did not learn (CVR694) and raise no shortcut finding', () => {
    const probes = runs[0]!.probes!;
    for (const name of ['periphery_only', 'lung_only'] as const) {
      const p = probes[name]!;
      // 20 test images, chance 50 %: two binomial standard deviations are 22 points.
      expect(p.accuracy).toBeLessThanOrEqual(0.75);
      const codes = (p.findings ?? []).map((f) => f.code);
      expect(codes).toContain('CVR694');
      expect(codes).not.toContain('CVR691');
      expect(codes).not.toContain('CVR692');
    }
    expect(runs[0]!.output).toContain('CVR694');
  });
});
