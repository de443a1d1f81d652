// The tensor backend class of `native`: the cpu backend plus a pool of large output arrays.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { DataId } from '@tensorflow/tfjs-core';
import { BufferPool } from './buffer-pool.ts';

/** The cpu backend with a pool of large output arrays (see buffer-pool.ts). */
export class NativeBackend extends MathBackendCPU {
  readonly pool: BufferPool;

  constructor(pooling: boolean) {
    super();
    this.pool = new BufferPool(pooling);
  }

  override readSync(dataId: DataId): ReturnType<MathBackendCPU['readSync']> {
    this.pool.escape(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override async read(dataId: DataId): ReturnType<MathBackendCPU['read']> {
    return this.readSync(dataId);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const done = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) this.pool.release(values, dataId);
    return done;
  }
}

/** Float32 output storage: from the pool on the native backend, fresh otherwise. */
export function allocFloats(backend: MathBackendCPU, n: number): Float32Array {
  return backend instanceof NativeBackend ? backend.pool.take(n) : new Float32Array(n);
}

