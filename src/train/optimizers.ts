/**
 * The optimizers, written out with Keras's update rules and defaults (ε = 1e-7) rather than taken
 * from tfjs, for two reasons: the learning rate must be changeable between epochs (plateau), and
 * the whole state must round-trip through a checkpoint exactly — tfjs's Adam keeps β^t as a
 * running product that its `setWeights` recomputes with `pow`, which differs in the last bits and
 * would make a resumed fit drift from an uninterrupted one. Here β^t is computed from the step
 * count in double precision every step, so saved state is the step count plus the slot tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { ResolvedTrain } from '../dsl/index.ts';
import { ADAM_KERNEL, adamInPlace } from '../engine/index.ts';

/**
 * Whether the backend in use has the fused Adam kernel (the native engine): the same update in one
 * pass per variable, bit-identical to the tensor chain below (test/train/fused-adam.test.ts).
 */
function fusedAdam(): boolean {
  return tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
}

export interface OptimizerState {
  readonly step: number;
  /** Slot tensors in a fixed order (per variable, per slot). */
  readonly slots: readonly Float32Array[];
}

export interface TrainOptimizer {
  readonly name: ResolvedTrain['optimizer']['name'];
  learningRate: number;
  /** How many slot tensors `state()` returns. */
  readonly slotCount: number;
  apply(grads: readonly tf.Tensor[]): void;
  state(): OptimizerState;
  restore(state: OptimizerState): void;
  dispose(): void;
}

function zerosLike(vars: readonly tf.Variable[], perVar: number): tf.Variable[] {
  // Inside tidy, so the zeros the variable starts from are released with it.
  return vars.flatMap((v) => Array.from({ length: perVar }, () => tf.tidy(() => tf.variable(tf.zerosLike(v), false))));
}

function param(params: Readonly<Record<string, number>>, name: string, fallback: number): number {
  return params[name] ?? fallback;
}

export function createOptimizer(config: ResolvedTrain['optimizer'], vars: readonly tf.Variable[]): TrainOptimizer {
  const { name, params } = config;
  const eps = param(params, 'epsilon', 1e-7);
  const perVar = name === 'adam' || name === 'adamax' ? 2 : name === 'sgd' ? 1 : param(params, 'momentum', 0) > 0 ? 2 : 1;
  const slots = zerosLike(vars, perVar);
  let step = 0;
  const self: TrainOptimizer = {
    name,
    learningRate: config.lr,
    slotCount: slots.length,
    apply(grads) {
      step++;
      const lr = self.learningRate;
      const fused = name === 'adam' && fusedAdam();
      tf.tidy(() => {
        vars.forEach((v, i) => {
          const g = grads[i] as tf.Tensor;
          const s0 = slots[i * perVar] as tf.Variable;
          const s1 = perVar === 2 ? slots[i * perVar + 1] : undefined;
          switch (name) {
            case 'adam': {
              const b1 = param(params, 'beta1', 0.9);
              const b2 = param(params, 'beta2', 0.999);
              const lrT = (lr * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step);
              if (fused && adamInPlace(v, s0, s1 as tf.Variable, g, lrT, b1, b2, eps)) break;
              if (fused) {
                const [nv, nm, nu] = tf.engine().runKernel(ADAM_KERNEL, { v, m: s0, u: s1 as tf.Variable, g }, { lrT, beta1: b1, beta2: b2, epsilon: eps }) as tf.Tensor[];
                s0.assign(nm as tf.Tensor);
                (s1 as tf.Variable).assign(nu as tf.Tensor);
                v.assign(nv as tf.Tensor);
                break;
              }
              const m = s0.mul(b1).add(g.mul(1 - b1));
              const u = (s1 as tf.Variable).mul(b2).add(g.square().mul(1 - b2));
              s0.assign(m);
              (s1 as tf.Variable).assign(u);
              v.assign(v.sub(m.mul(lrT).div(u.sqrt().add(eps))));
              break;
            }
            case 'adamax': {
              const b1 = param(params, 'beta1', 0.9);
              const b2 = param(params, 'beta2', 0.999);
              const lrT = lr / (1 - b1 ** step);
              const m = s0.mul(b1).add(g.mul(1 - b1));
              const u = tf.maximum((s1 as tf.Variable).mul(b2), g.abs());
              s0.assign(m);
              (s1 as tf.Variable).assign(u);
              v.assign(v.sub(m.mul(lrT).div(u.add(eps))));
              break;
            }
            case 'sgd': {
              const momentum = param(params, 'momentum', 0);
              const nesterov = param(params, 'nesterov', 0) !== 0;
              const velocity = s0.mul(momentum).sub(g.mul(lr));
              s0.assign(velocity);
              v.assign(nesterov ? v.add(velocity.mul(momentum)).sub(g.mul(lr)) : v.add(velocity));
              break;
            }
            case 'rmsprop': {
              const rho = param(params, 'rho', 0.9);
              const momentum = param(params, 'momentum', 0);
              const avg = s0.mul(rho).add(g.square().mul(1 - rho));
              s0.assign(avg);
              const update = g.mul(lr).div(avg.sqrt().add(eps));
              if (s1 !== undefined) {
                const mom = s1.mul(momentum).add(update);
                s1.assign(mom);
                v.assign(v.sub(mom));
              } else {
                v.assign(v.sub(update));
              }
              break;
            }
            default: {
              const never: never = name;
              throw new Error(`Internal error: unknown optimizer ${String(never)}`);
            }
          }
        });
      });
    },
    state() {
      return { step, slots: slots.map((s) => s.dataSync().slice() as Float32Array) };
    },
    restore(saved) {
      if (saved.slots.length !== slots.length) throw new Error('Internal error: optimizer state does not fit (checked by the caller)');
      step = saved.step;
      slots.forEach((s, i) => tf.tidy(() => s.assign(tf.tensor(saved.slots[i] as Float32Array, s.shape))));
    },
    dispose() {
      slots.forEach((s) => s.dispose());
    },
  };
  return self;
}
