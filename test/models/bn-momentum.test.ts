/** `model X { bn_momentum M }`: checked as a probability, and every BatchNorm layer built with it. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildModel, DEFAULT_MODEL_OPTIONS } from '../../src/models/index.ts';
import { main } from '../../src/cli/main.ts';

function momenta(bnMomentum?: number): number[] {
  const built = buildModel('resnet50', { ...DEFAULT_MODEL_OPTIONS, size: 32, channels: 1, width: 0.0625, init: 'zeros', ...(bnMomentum !== undefined && { bnMomentum }) });
  if (!built.ok) throw new Error('build failed');
  const values = built.model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.getConfig()['momentum'] as number);
  built.model.dispose();
  return values;
}

async function check(option: string): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cvr-bn-'));
  try {
    writeFileSync(join(dir, 'p.cvr'), `pipeline p {\n  classes covid\n  source a { folder "a" map { "x" -> NOR, "y" -> CVP } }\n  task NOR vs CVP\n  split kfold 2\n  model resnet50 { ${option} }\n}\n`);
    const out: string[] = [];
    const code = await main(['check', 'p.cvr'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), isTty: false, cwd: dir, env: {} });
    return { code, out: out.join('') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bn_momentum', () => {
  it('sets the momentum of every BatchNorm layer; Keras\'s 0.99 without it', () => {
    const set = momenta(0.8);
    expect(set.length).toBeGreaterThan(10);
    expect(new Set(set)).toEqual(new Set([0.8]));
    expect(new Set(momenta())).toEqual(new Set([0.99]));
  });

  it('is accepted in [0, 1] and rejected outside, at its value', async () => {
    expect((await check('bn_momentum 0.9')).code).toBe(0);
    const bad = await check('bn_momentum 1.5');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/error\[CVR4\d\d\] p\.cvr:6:\d+ .*bn_momentum/);
  });
});
