import { resolve } from 'node:path';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import type { PresetName } from '../../data/index.ts';
import { synthesize } from '../../data/index.ts';
import { settleCommandLine, usageError, type OptionValues } from '../args.ts';
import { SYNTH } from '../specs.ts';

interface SynthArgs {
  readonly preset: PresetName;
  readonly out: string;
  readonly seed: number;
  readonly scale: number | undefined;
  readonly size: number | undefined;
  readonly corrupt: number;
  readonly nearDuplicates: number;
  readonly workers: number | undefined;
}

/** The ranges the generator supports (the option table gives the types). */
function checkRanges(v: OptionValues<typeof SYNTH>): SynthArgs | string {
  if (v.preset === undefined) return '--preset is required';
  if (v.out === undefined || v.out === '') return '--out DIR is required';
  if (v.scale !== undefined && !(v.scale > 0 && v.scale <= 10)) return `--scale must be a number in (0, 10], got "${v.scale}"`;
  if (v.size !== undefined && v.size > 2048) return `--size must be an integer from 16 to 2048, got "${v.size}"`;
  if (v.corrupt !== undefined && v.corrupt > 1000) return `--corrupt must be an integer from 0 to 1000, got "${v.corrupt}"`;
  if (v['near-duplicates'] !== undefined && v['near-duplicates'] > 100_000) return `--near-duplicates must be an integer from 0 to 100000, got "${v['near-duplicates']}"`;
  if (v.workers !== undefined && v.workers > 64) return `--workers must be an integer from 0 to 64, got "${v.workers}"`;
  return { preset: v.preset as PresetName, out: v.out, seed: v.seed ?? 1, scale: v.scale, size: v.size, corrupt: v.corrupt ?? 0, nearDuplicates: v['near-duplicates'] ?? 0, workers: v.workers };
}

/** A one-line bar redrawn in place with a carriage return, at most every 100 ms. */
function progressBar(io: CliIo): { update: (done: number, total: number) => void; finish: () => void } {
  let last = 0;
  let drawn = false;
  const draw = (done: number, total: number): void => {
    const width = 30;
    const filled = Math.round((done / Math.max(1, total)) * width);
    io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} images`);
    drawn = true;
  };
  return {
    update: (done, total) => {
      const now = Date.now();
      if (now - last >= 100 || done === total) {
        last = now;
        draw(done, total);
      }
    },
    finish: () => {
      if (drawn) io.stderr('\n');
    },
  };
}

/** `cvr synth` — write a phantom dataset. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = settleCommandLine(SYNTH, argv, io);
  if (typeof parsed === 'number') return parsed;
  const a = checkRanges(parsed.values);
  if (typeof a === 'string') return usageError(SYNTH, a, io);
  const out = resolve(io.cwd, a.out);
  const bar = io.isTty ? progressBar(io) : null;
  const started = Date.now();
  const result = await synthesize({ preset: a.preset, out, seed: a.seed, scale: a.scale, size: a.size, corrupt: a.corrupt, nearDuplicates: a.nearDuplicates, workers: a.workers, onProgress: bar?.update });
  bar?.finish();
  if (!result.ok) {
    io.stderr(`cvr synth: ${result.message}\n`);
    return EXIT.failed;
  }
  const s = result.summary;
  const sources = new Set(s.counts.map((c) => c.source)).size;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const planted =
    (s.corrupt.length > 0 ? `, ${s.corrupt.length} bad inputs planted (see synth.json)` : '') +
    (a.nearDuplicates > 0 ? `, ${a.nearDuplicates} near-duplicates planted (see near-duplicates.json)` : '');
  io.stdout(`cvr synth: wrote ${s.images} images from ${sources} sources (preset ${s.preset}, seed ${s.seed}, scale ${s.scale}) to ${a.out} in ${seconds}s${planted}\n`);
  return EXIT.ok;
}
