// The output-array pool: reuse only what nothing else can see.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BufferPool, POOL_MIN_LENGTH } from '../../../src/engine/native/buffer-pool.ts';
import { both, expectAllClose, nativeBackend, onBackend, skipReason, values } from './compare.ts';

const N = POOL_MIN_LENGTH;

describe('BufferPool', () => {
  it('recycles an array released by the one data id bound to it', () => {
    const pool = new BufferPool(true);
    const id = {};
    const a = pool.take(N);
    pool.bind(a, id);
    pool.release(a, id);
    expect(pool.pooledBytes).toBe(a.byteLength);
    expect(pool.take(N)).toBe(a);
    expect(pool.pooledBytes).toBe(0);
  });

  it('recycles a kernel intermediate: taken, made a tensor and disposed before any output was bound', () => {
    const pool = new BufferPool(true);
    const a = pool.take(N);
    pool.release(a, {});
    expect(pool.pooledBytes).toBe(a.byteLength);
    expect(pool.take(N)).toBe(a);
  });

  it('never recycles arrays that were read out, shared by a subarray, bound twice, small, or its own', () => {
    const pool = new BufferPool(true);
    const read = pool.take(N), sliced = pool.take(N), twice = pool.take(N), small = pool.take(16);
    const idR = {}, idS = {}, idT = {}, idT2 = {}, idSmall = {};
    pool.bind(read, idR);
    pool.escape(read);
    pool.bind(sliced, idS);
    pool.bind(sliced.subarray(8), {});
    pool.bind(twice, idT);
    pool.bind(twice, idT2);
    pool.bind(small, idSmall);
    pool.release(read, idR);
    pool.release(sliced, idS);
    pool.release(twice, idT);
    pool.release(small, idSmall);
    pool.release(new Float32Array(N), {});
    expect(pool.pooledBytes).toBe(0);
  });

  it('allocates fresh arrays when disabled', () => {
    const pool = new BufferPool(false);
    const id = {};
    const a = pool.take(N);
    pool.bind(a, id);
    pool.release(a, id);
    expect(pool.pooledBytes).toBe(0);
    expect(pool.take(N)).not.toBe(a);
  });
});

describe.skipIf(nativeBackend === undefined)(nativeBackend === undefined ? skipReason : 'native backend with pooled outputs', () => {
  const shape: [number, number, number, number] = [2, 64, 64, 16]; // 131072 floats: pooled

  it('an array returned by dataSync() keeps its values after its tensor is disposed', async () => {
    await onBackend(nativeBackend!, () => {
      const x = tf.tensor4d(values(2 * 64 * 64 * 16, 3), shape);
      for (let i = 0; i < 3; i++) {
        const y = tf.relu(x);
        const seen = y.dataSync();
        const copy = seen.slice();
        y.dispose();
        const z = tf.neg(x); // same size: would take a recycled array
        expect(Buffer.from(seen.buffer, seen.byteOffset, seen.byteLength).equals(Buffer.from(copy.buffer))).toBe(true);
        z.dispose();
      }
      x.dispose();
    });
  });

  it('a slice that shares its parent\'s buffer survives the parent\'s disposal', async () => {
    await onBackend(nativeBackend!, () => {
      const x = tf.tensor4d(values(2 * 64 * 64 * 16, 4), shape);
      const y = tf.relu(x);
      const first = tf.slice(y, [0, 0, 0, 0], [1, 64, 64, 16]); // contiguous: a subarray on cpu
      const expected = tf.relu(tf.slice(x, [0, 0, 0, 0], [1, 64, 64, 16])).dataSync().slice();
      y.dispose();
      const others = [tf.neg(x), tf.square(x), tf.relu(x)];
      const got = first.dataSync();
      expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(expected.buffer))).toBe(true);
      tf.dispose([x, first, ...others]);
    });
  });

  it('large convolutions, element-wise chains and their gradients still match the cpu backend', async () => {
    for (let round = 0; round < 2; round++) {
      expectAllClose(await both(() => {
        // 1×1 filters keep the cpu backend's side of the comparison quick; the arrays are large.
        const x = tf.tensor4d(values(2 * 64 * 64 * 16, 5 + round), shape);
        const w = tf.tensor4d(values(16 * 16, 9), [1, 1, 16, 16]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')).square().mean([0, 1, 2]);
        const [gx, gw] = tf.grads(f)([x, w]);
        return [f(x, w), gx!, gw!];
      }));
    }
  });
});
