/** The candidate search's exact parts (search.ts): one view's squared distance, and a k-nearest list. */
import { COEFFS, VIEWS } from './signature.ts';

/** Squared distance of images i and j in one view. */
export function distance(table: Float32Array, i: number, j: number, view: number): number {
  const a = (i * VIEWS + view) * COEFFS;
  const b = (j * VIEWS + view) * COEFFS;
  let s = 0;
  for (let k = 0; k < COEFFS; k++) {
    const d = table[a + k]! - table[b + k]!;
    s += d * d;
  }
  return s;
}

/** The k nearest seen so far of one image: parallel arrays kept sorted by distance, then index. */
export class Nearest {
  readonly ids: Int32Array;
  readonly dist: Float64Array;
  size = 0;
  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.dist = new Float64Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  offer(j: number, d: number): void {
    const { ids, dist } = this;
    if (this.size === this.k && (d > dist[this.k - 1]! || (d === dist[this.k - 1]! && j > ids[this.k - 1]!))) return;
    let p = this.size < this.k ? this.size++ : this.k - 1;
    while (p > 0 && (dist[p - 1]! > d || (dist[p - 1]! === d && ids[p - 1]! > j))) {
      dist[p] = dist[p - 1]!;
      ids[p] = ids[p - 1]!;
      p--;
    }
    dist[p] = d;
    ids[p] = j;
  }
}
