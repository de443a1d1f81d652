/**
 * The grey pipeline of PS3.3 C.11: stored values → Modality LUT (Rescale Slope/Intercept, or a
 * Modality LUT Sequence) → VOI (the file's Window Center/Width with its VOI LUT Function, a VOI
 * LUT Sequence, or `window auto`: the image's min–max) → MONOCHROME1 inverted. The output keeps
 * 16 bits (0..65535), so nothing is lost before normalisation.
 */
import type { DicomHeader, Lut } from './parse.ts';
import type { DicomFailure, WindowMode } from './types.ts';

const TOP = 65535;

function lookup(lut: Lut, x: number): number {
  const i = Math.round(x) - lut.first;
  return lut.data[Math.max(0, Math.min(lut.data.length - 1, i))] as number;
}

/** Modality values (e.g. Hounsfield units for CT, or scaled detector values). */
export function modalityValues(stored: Int32Array, h: DicomHeader): Float64Array {
  const out = new Float64Array(stored.length);
  const lut = h.modalityLut;
  if (lut !== null) for (let i = 0; i < stored.length; i++) out[i] = lookup(lut, stored[i] as number);
  else for (let i = 0; i < stored.length; i++) out[i] = (stored[i] as number) * h.slope + h.intercept;
  return out;
}

/** The range the modality values can take, from Bits Stored and the Modality LUT: the VOI when the file names none. */
export function modalityRange(h: DicomHeader): readonly [number, number] {
  if (h.modalityLut !== null) return [0, 2 ** h.modalityLut.bits - 1];
  const lo = h.pixelRepresentation === 1 ? -(2 ** (h.bitsStored - 1)) : 0;
  const hi = h.pixelRepresentation === 1 ? 2 ** (h.bitsStored - 1) - 1 : 2 ** h.bitsStored - 1;
  const a = lo * h.slope + h.intercept;
  const b = hi * h.slope + h.intercept;
  return [Math.min(a, b), Math.max(a, b)];
}

/** y in [0, 1] for modality value x. */
type Voi = (x: number) => number;

function linearRange(lo: number, hi: number): Voi {
  if (hi <= lo) return () => 0;
  return (x) => (x - lo) / (hi - lo);
}

/** The VOI function the settings and the file call for. */
export function voiFunction(values: Float64Array, h: DicomHeader, mode: WindowMode): Voi {
  if (mode === 'auto') {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return linearRange(lo, hi);
  }
  const w = h.window;
  if (w !== null) {
    const { center: c, width } = w;
    if (w.fn === 'SIGMOID') return (x) => 1 / (1 + Math.exp((-4 * (x - c)) / width));
    // LINEAR_EXACT: y = (x − c)/w + 0.5; LINEAR: (x − (c − 0.5))/(w − 1) + 0.5 (PS3.3 C.11.2.1.2).
    if (w.fn === 'LINEAR_EXACT') return (x) => (x - c) / width + 0.5;
    if (width === 1) return (x) => (x > c - 0.5 ? 1 : 0);
    return (x) => (x - (c - 0.5)) / (width - 1) + 0.5;
  }
  const lut = h.voiLut;
  if (lut !== null) {
    const top = 2 ** lut.bits - 1;
    return (x) => lookup(lut, x) / top;
  }
  const [lo, hi] = modalityRange(h);
  return linearRange(lo, hi);
}

/** Display values 0..65535 of a grey frame, MONOCHROME1 inverted. */
export function greyToDisplay(stored: Int32Array, h: DicomHeader, mode: WindowMode): Uint16Array | DicomFailure {
  const values = modalityValues(stored, h);
  const voi = voiFunction(values, h, mode);
  const invert = h.photometric === 'MONOCHROME1';
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const y = voi(values[i] as number);
    const clamped = y <= 0 ? 0 : y >= 1 ? 1 : y;
    const v = Math.round(clamped * TOP);
    out[i] = invert ? TOP - v : v;
  }
  return out;
}
