import * as tf from '@tensorflow/tfjs';
import { restoreRandomStream, saveableRandomStream, type SaveableRandomStream } from '../engine/index.ts';

export interface SeededDropoutArgs {
  readonly rate: number;
  /** One keep/drop draw per sample (Keras `noise_shape=(None, 1, 1, 1)`, EfficientNet's drop-connect). */
  readonly perSample: boolean;
  readonly seed: number;
  readonly nodeKey: string;
  readonly name: string;
}

/**
 * Dropout whose masks come from the run's random streams. tfjs's own Dropout takes a fixed
 * `seed` and passes it unchanged to every call, so a seeded tf.layers.dropout draws the *same*
 * mask at every step, and an unseeded one draws from Math.random. This layer gives each call a
 * fresh op seed from its own stream (seed, node key, `dropout:<layer>`): different masks step to
 * step, the same sequence of masks run to run.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'CvrSeededDropout';
  private readonly rate: number;
  private readonly perSample: boolean;
  private readonly seed: number;
  private readonly nodeKey: string;
  private stream: SaveableRandomStream;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.perSample = args.perSample;
    this.seed = args.seed;
    this.nodeKey = args.nodeKey;
    this.stream = saveableRandomStream(args.seed, args.nodeKey, `dropout:${args.name}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x === undefined) throw new Error('Internal error: SeededDropout called without an input');
    if (kwargs['training'] !== true || this.rate <= 0) return x;
    const noiseShape = this.perSample ? [x.shape[0] ?? 1, ...x.shape.slice(1).map(() => 1)] : x.shape;
    return tf.dropout(x, this.rate, noiseShape, this.stream.opSeed());
  }

  /**
   * The mask stream's position: train/fit saves it in every checkpoint and restores it on resume
   * (its `RandomStateLayer`), so a resumed fit draws the masks an uninterrupted one would have.
   */
  randomState(): unknown {
    return this.stream.state();
  }

  restoreRandomState(state: unknown): void {
    if (!isAleaState(state)) throw new Error(`Internal error: ${this.name} was given a random state that is not an alea state`);
    this.stream = restoreRandomStream(state);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, perSample: this.perSample, seed: this.seed, nodeKey: this.nodeKey };
  }
}

function isAleaState(value: unknown): value is ReturnType<SaveableRandomStream['state']> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['c', 's0', 's1', 's2'].every((k) => typeof v[k] === 'number');
}

tf.serialization.registerClass(SeededDropout);
