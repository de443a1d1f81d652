// Reuse of large Float32Array outputs. Every tfjs kernel returns a fresh array; for the tensors of
// a CNN training step (megabytes each) the allocation, its zeroing and its page faults cost more
// than the arithmetic. An array goes back to the pool only when its tensor is disposed and nothing
// else can still see it: it was allocated by a native kernel, exactly one tensor data id holds it,
// no kernel output shares its buffer (a cpu Slice returns subarrays), and it was never read out
// (dataSync()/data() hand the array itself to the caller).
export const POOL_MIN_LENGTH = 1 << 16;
// A ResNet-50 step at 64², batch 16 frees dozens of arrays of one length (its activations and
// their gradients); with 8 per length and 512 MB the rest were fresh arrays (zeroing, page faults):
// 64 per length and 1 GB took a step from 1049 to 888 ms (bench native-profile, 2 threads). The
// pool never holds more than a step's peak of live arrays, so the caps only bound odd cases: with
// 64 per length a 64² ResNet-50 step still allocated ≈ 45 MB of fresh arrays (1024 and 2 GB: none).
const POOL_MAX_BYTES = 2048 * 1024 * 1024;
const POOL_MAX_PER_LENGTH = 1024;

export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private freeBytes = 0;
  /** Arrays this pool handed out, by the data id that holds them (undefined until one does). */
  private readonly owned = new WeakMap<Float32Array, object | undefined>();
  private readonly ownerOfBuffer = new WeakMap<ArrayBufferLike, Float32Array>();

  constructor(private readonly enabled: boolean) {}

  /** An array of `n` floats with unspecified contents: the caller overwrites every element. */
  take(n: number): Float32Array {
    if (!this.enabled || n < POOL_MIN_LENGTH) return new Float32Array(n);
    const list = this.free.get(n);
    let a = list?.pop();
    if (a !== undefined) this.freeBytes -= a.byteLength;
    else a = new Float32Array(n);
    this.owned.set(a, undefined);
    this.ownerOfBuffer.set(a.buffer, a);
    return a;
  }

  /** After a kernel ran: its outputs' arrays are bound to their data ids, or escape if shared. */
  bind(values: unknown, dataId: object): void {
    if (!ArrayBuffer.isView(values)) return;
    const owner = this.ownerOfBuffer.get(values.buffer);
    if (owner === undefined) return;
    if (owner !== values) { this.escape(owner); return; }
    const holder = this.owned.get(owner);
    if (holder === undefined && this.owned.has(owner)) this.owned.set(owner, dataId);
    else if (holder !== dataId) this.escape(owner);
  }

  /** Never reuse this array (its contents were handed out or are shared). */
  escape(values: unknown): void {
    if (!ArrayBuffer.isView(values)) return;
    const owner = this.ownerOfBuffer.get(values.buffer);
    if (owner === undefined) return;
    this.owned.delete(owner);
    this.ownerOfBuffer.delete(owner.buffer);
  }

  /** Called when `dataId`'s data was deleted: recycle its array if it is safe to. */
  release(values: unknown, dataId: object): void {
    if (!(values instanceof Float32Array) || !this.heldBy(values, dataId)) return;
    this.owned.delete(values);
    this.ownerOfBuffer.delete(values.buffer);
    const list = this.free.get(values.length) ?? [];
    if (list.length >= POOL_MAX_PER_LENGTH || this.freeBytes + values.byteLength > POOL_MAX_BYTES) return;
    list.push(values);
    this.free.set(values.length, list);
    this.freeBytes += values.byteLength;
  }

  /**
   * Held by `dataId`: bound to it, or taken and never bound — a kernel's intermediate result
   * disposed inside the kernel before its outputs were bound (the conv output before its fused
   * bias and activation): nothing else ever saw it. Such arrays used to be dropped, not recycled:
   * ≈ 90 MB of fresh arrays a ResNet-50 step, and the garbage collections they trigger.
   */
  private heldBy(values: Float32Array, dataId: object): boolean {
    const holder = this.owned.get(values);
    return holder === dataId || (holder === undefined && this.owned.has(values));
  }

  /**
   * True when `values` came from this pool, is held by `dataId` alone and was never read out or
   * shared: nothing but that tensor can see it, so it may be updated in place.
   */
  isPrivate(values: unknown, dataId: object): boolean {
    return values instanceof Float32Array && this.owned.get(values) === dataId;
  }

  get pooledBytes(): number {
    return this.freeBytes;
  }
}
