import { resolve } from 'node:path';
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import type { PresetName } from '../../data/index.ts';
import { PRESET_NAMES, synthesize } from '../../data/index.ts';

const USAGE = `usage: cvr synth --preset tiny|paper|shortcut --out DIR [--seed N] [--scale S] [--size N] [--corrupt N] [--workers N]

Writes phantom chest images (PNG) and manifests laid out like real datasets.
  --preset   tiny: 48 images of 64×64 over 3 sources, for tests
             paper: the paper's Table 1 sources in the layout of docs/data-layout.md
             shortcut: one strongly marked source for CVP, unmarked external test sources
  --out      output folder (new, empty, or written before by cvr synth)
  --seed     random seed (default 1); the same seed writes the same bytes
  --scale    fraction of the preset's counts (paper default 0.02; tiny, shortcut 1);
             each (source, native label) gets max(4, round(count × scale)) images
  --size     base image size in pixels (tiny, shortcut 64; paper 256); sources scale it
  --corrupt  plant N bad inputs (truncated PNGs, non-images, empty files, manifest rows
             naming missing files), listed in DIR/synth.json
  --workers  render threads (default: 0 = this thread, up to 4 on 4+ cores for 200+ images);
             the bytes written do not depend on it
`;

interface SynthArgs {
  readonly preset: PresetName;
  readonly out: string;
  readonly seed: number;
  readonly scale: number | undefined;
  readonly size: number | undefined;
  readonly corrupt: number;
  readonly workers: number | undefined;
}

type Parsed = { ok: true; args: SynthArgs } | { ok: false; message: string } | { ok: 'help' };

function parseArgs(argv: readonly string[]): Parsed {
  const values = new Map<string, string>();
  const known = ['--preset', '--out', '--seed', '--scale', '--size', '--corrupt', '--workers'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { ok: 'help' };
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!known.includes(flag)) return { ok: false, message: `unknown option "${arg}"` };
    const value = inline ?? argv[++i];
    if (value === undefined) return { ok: false, message: `${flag} needs a value` };
    values.set(flag, value);
  }
  const preset = values.get('--preset');
  if (preset === undefined) return { ok: false, message: '--preset is required' };
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) return { ok: false, message: `unknown preset "${preset}" (choose ${PRESET_NAMES.join(', ')})` };
  const out = values.get('--out');
  if (out === undefined || out === '') return { ok: false, message: '--out DIR is required' };
  const number = (flag: string, check: (n: number) => boolean, what: string): number | undefined | string => {
    const raw = values.get(flag);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) && check(n) ? n : `${flag} must be ${what}, got "${raw}"`;
  };
  const seed = number('--seed', (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  const scale = number('--scale', (n) => n > 0 && n <= 10, 'a number in (0, 10]');
  const size = number('--size', (n) => Number.isInteger(n) && n >= 16 && n <= 2048, 'an integer from 16 to 2048');
  const corrupt = number('--corrupt', (n) => Number.isInteger(n) && n >= 0 && n <= 1000, 'an integer from 0 to 1000');
  const workers = number('--workers', (n) => Number.isInteger(n) && n >= 0 && n <= 64, 'an integer from 0 to 64');
  for (const v of [seed, scale, size, corrupt, workers]) if (typeof v === 'string') return { ok: false, message: v };
  return {
    ok: true,
    args: { preset: preset as PresetName, out, seed: (seed as number | undefined) ?? 1, scale: scale as number | undefined, size: size as number | undefined, corrupt: (corrupt as number | undefined) ?? 0, workers: workers as number | undefined },
  };
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
  const parsed = parseArgs(argv);
  if (parsed.ok === 'help') {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  if (parsed.ok === false) {
    io.stderr(`cvr synth: ${parsed.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const a = parsed.args;
  const out = resolve(io.cwd, a.out);
  const bar = io.isTty ? progressBar(io) : null;
  const started = Date.now();
  const result = await synthesize({ preset: a.preset, out, seed: a.seed, scale: a.scale, size: a.size, corrupt: a.corrupt, workers: a.workers, onProgress: bar?.update });
  bar?.finish();
  if (!result.ok) {
    io.stderr(`cvr synth: ${result.message}\n`);
    return EXIT.failed;
  }
  const s = result.summary;
  const sources = new Set(s.counts.map((c) => c.source)).size;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const planted = s.corrupt.length > 0 ? `, ${s.corrupt.length} bad inputs planted (see synth.json)` : '';
  io.stdout(`cvr synth: wrote ${s.images} images from ${sources} sources (preset ${s.preset}, seed ${s.seed}, scale ${s.scale}) to ${a.out} in ${seconds}s${planted}\n`);
  return EXIT.ok;
}
