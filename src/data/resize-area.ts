/**
 * Area (box-average) resampling, as OpenCV's INTER_AREA: each output pixel is the mean of the
 * input pixels it covers, weighted by overlap. sharp has no such kernel; it matters when
 * shrinking large radiographs, where nearest-neighbour aliases thin structures such as ribs.
 */
export function resizeArea<T extends Uint8Array | Uint16Array>(src: T, sw: number, sh: number, c: number, dw: number, dh: number): T {
  const out = (src instanceof Uint16Array ? new Uint16Array(dw * dh * c) : new Uint8Array(dw * dh * c)) as T;
  const max = src instanceof Uint16Array ? 65535 : 255;
  const sx = sw / dw;
  const sy = sh / dh;
  const acc = new Float64Array(c);
  for (let oy = 0; oy < dh; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < dw; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      acc.fill(0);
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(Math.ceil(y1), sh); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(Math.ceil(x1), sw); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const base = (y * sw + x) * c;
          for (let k = 0; k < c; k++) acc[k] = (acc[k] as number) + w * (src[base + k] as number);
          area += w;
        }
      }
      const o = (oy * dw + ox) * c;
      for (let k = 0; k < c; k++) out[o + k] = Math.min(max, Math.max(0, Math.round((acc[k] as number) / area)));
    }
  }
  return out;
}
