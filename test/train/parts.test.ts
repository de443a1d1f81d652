import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { classCounts, classWeights } from '../../src/train/class-weights.ts';
import { createOptimizer } from '../../src/train/optimizers.ts';
import { initialMonitor, stepEarlyStop, stepPlateau } from '../../src/train/monitors.ts';
import type { ResolvedTrain } from '../../src/dsl/resolved.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('class weights', () => {
  const classes = ['NCV', 'CVP'];
  const counts = classCounts([0, 0, 0, 0, 0, 0, 1, 1], 2); // 6 vs 2

  it.each([
    ['none', { mode: 'none' }, [1, 1]],
    ['balanced = N / (K·N_j)', { mode: 'balanced' }, [8 / (2 * 6), 8 / (2 * 2)]],
    ['max_over_count = max N / N_j', { mode: 'max_over_count' }, [1, 3]],
    ['explicit', { mode: 'explicit', weights: { CVP: 4.5, NCV: 1 } }, [1, 4.5]],
  ] as const)('%s', (_, config, want) => {
    const r = classWeights(config as ResolvedTrain['classWeights'], classes, counts);
    expect(r.ok && r.weights).toEqual(want);
  });

  it('refuses a class without images and an explicit list missing a class', () => {
    const empty = classWeights({ mode: 'balanced' }, ['A', 'B', 'C'], [3, 0, 1]);
    expect(!empty.ok && empty.diagnostics[0]!.message).toContain('class B has no training images');
    const missing = classWeights({ mode: 'explicit', weights: { NCV: 1 } }, classes, counts);
    expect(!missing.ok && missing.diagnostics[0]!.code).toBe('CVR805');
  });
});

describe('optimizer update rules (Keras), one variable, hand-computed', () => {
  function run(config: ResolvedTrain['optimizer'], grads: number[]): number {
    const v = tf.variable(tf.scalar(1));
    const opt = createOptimizer(config, [v]);
    for (const g of grads) opt.apply([tf.scalar(g)]);
    const out = v.dataSync()[0]!;
    opt.dispose();
    v.dispose();
    return out;
  }

  it('adam: the first step moves by about lr in the gradient sign', () => {
    // m = 0.1 g, v = 0.001 g², lr_t = lr·√0.001/0.1 → step = lr·g/(|g| + ε/√0.001).
    const g = 0.5;
    expect(run({ name: 'adam', lr: 0.1, params: {} }, [g])).toBeCloseTo(1 - (0.1 * g) / (g + 1e-7 / Math.sqrt(0.001)), 6);
  });

  it('adamax: m / (1 − β1^t) over the infinity norm', () => {
    // t=1: m = 0.1·0.5, u = 0.5 → 1 − 0.1/0.1 · 0.05/0.5; t=2 with g=−1: m = 0.045 − 0.1 = −0.055, u = max(0.4995, 1) = 1.
    const afterOne = 1 - (0.1 / 0.1) * (0.05 / (0.5 + 1e-7));
    const afterTwo = afterOne - (0.1 / (1 - 0.81)) * (-0.055 / (1 + 1e-7));
    expect(run({ name: 'adamax', lr: 0.1, params: {} }, [0.5, -1])).toBeCloseTo(afterTwo, 5);
  });

  it('sgd with momentum: v ← μv − lr·g, p ← p + v', () => {
    // v1 = −0.1, p = 0.9; v2 = 0.9·(−0.1) − 0.1 = −0.19, p = 0.71.
    expect(run({ name: 'sgd', lr: 0.1, params: { momentum: 0.9 } }, [1, 1])).toBeCloseTo(0.71, 6);
    expect(run({ name: 'sgd', lr: 0.1, params: {} }, [1, 1])).toBeCloseTo(0.8, 6);
  });

  it('rmsprop: a ← ρa + (1−ρ)g², p ← p − lr·g/(√a + ε)', () => {
    expect(run({ name: 'rmsprop', lr: 0.01, params: {} }, [2])).toBeCloseTo(1 - (0.01 * 2) / (Math.sqrt(0.4) + 1e-7), 6);
  });

  it.each(['adam', 'adamax', 'sgd', 'rmsprop'] as const)('%s: a restored state replays the next step bit for bit', (name) => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const opt = createOptimizer({ name, lr: 0.1, params: { momentum: 0.9 } }, [v]);
    opt.apply([tf.tensor1d([0.3, -0.2])]);
    const saved = opt.state();
    const value = v.dataSync().slice();
    opt.apply([tf.tensor1d([0.1, 0.1])]);
    const after = Array.from(v.dataSync());
    opt.apply([tf.tensor1d([0.5, 0.5])]);
    opt.restore(saved);
    v.assign(tf.tensor1d(value));
    opt.apply([tf.tensor1d([0.1, 0.1])]);
    expect(saved.step).toBe(1);
    expect(Array.from(v.dataSync())).toEqual(after);
    opt.dispose();
  });
});

describe('monitors (Keras semantics)', () => {
  it('early stopping counts epochs without improvement and remembers the best', () => {
    const config = { metric: 'val_loss', patience: 2, restoreBest: true };
    let s = initialMonitor('val_loss');
    const stops: boolean[] = [];
    [1.0, 0.8, 0.85, 0.79, 0.9, 0.95].forEach((v, epoch) => {
      const r = stepEarlyStop(s, v, epoch, config);
      s = r.state;
      stops.push(r.stop);
    });
    expect(stops).toEqual([false, false, false, false, false, true]);
    expect(s.bestEpoch).toBe(3);
    expect(s.best).toBe(0.79);
  });

  it('accuracy is maximised', () => {
    const r = stepEarlyStop(stepEarlyStop(initialMonitor('val_accuracy'), 0.5, 0, { metric: 'val_accuracy', patience: 1, restoreBest: false }).state, 0.6, 1, {
      metric: 'val_acc',
      patience: 1,
      restoreBest: false,
    });
    expect(r.improved).toBe(true);
  });

  it('plateau cuts the rate after patience stalls, resets, and respects min and min_delta', () => {
    const config = { metric: 'val_loss', factor: 0.1, patience: 2, min: 1e-4 };
    let s = initialMonitor('val_loss');
    let lr = 0.01;
    const lrs: number[] = [];
    // 0.99995 is not better than 1.0 by min_delta 1e-4: a stall.
    [1.0, 0.99995, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6].forEach((v, epoch) => {
      ({ state: s, lr } = stepPlateau(s, v, epoch, config, lr));
      lrs.push(lr);
    });
    expect(lrs.map((x) => Number(x.toPrecision(6)))).toEqual([0.01, 0.01, 0.001, 0.001, 0.0001, 0.0001, 0.0001, 0.0001]);
  });
});
