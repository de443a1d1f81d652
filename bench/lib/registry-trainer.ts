/**
 * A registry model trained exactly as `cvr run` trains it: the builder of src/models/, the
 * optimizer of src/train/optimizers.ts and the step of src/train/step.ts (which fit.ts calls), on
 * seeded random images. The benchmarks time `step()`.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../src/models/index.ts';
import { createOptimizer } from '../../src/train/optimizers.ts';
import { trainStep } from '../../src/train/step.ts';
import type { ResolvedTrain } from '../../src/dsl/resolved.ts';

export interface TrainerSpec {
  readonly model: string;
  readonly size: number;
  readonly batch: number;
  readonly channels?: number;
  readonly classes?: number;
  readonly width?: number;
  readonly optimizer?: ResolvedTrain['optimizer']['name'];
  readonly lr?: number;
  readonly seed?: number;
}

export interface Trainer {
  readonly params: number;
  /** One training step; returns the loss (read back, so the step has finished). */
  step(): number;
  dispose(): void;
}

export function registryTrainer(spec: TrainerSpec): Trainer {
  const classes = spec.classes ?? 3, channels = spec.channels ?? 3, seed = spec.seed ?? 1;
  const built = buildModel(spec.model, { size: spec.size, channels, classes, width: spec.width ?? 1, seed, nodeKey: `bench:${spec.model}` });
  if (!built.ok) throw new Error(`${spec.model}: ${built.diagnostics.map((d) => d.message).join('; ')}`);
  const model = built.model;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = createOptimizer({ name: spec.optimizer ?? 'adam', lr: spec.lr ?? 1e-4, params: {} }, vars);
  const x = tf.randomUniform([spec.batch, spec.size, spec.size, channels], 0, 1, 'float32', seed);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: spec.batch }, (_, i) => i % classes), 'int32'), classes);
  const weights = tf.ones([classes]);
  return {
    params: model.countParams(),
    step: () => trainStep(model, vars, optimizer, x, y, weights).loss,
    dispose: () => {
      tf.dispose([x, y, weights]);
      optimizer.dispose();
      model.dispose();
    },
  };
}
