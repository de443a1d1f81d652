/**
 * `npm run -s bench -- fmt [--rounds N]`: time of `cvr fmt`'s work (parse, then format) over
 * pipelines/*.cvr and the parser fixtures, against parsing alone in the same run, as a ratio;
 * and the parser's throughput in characters per millisecond.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCvr, parseCvr } from '../src/dsl/index.ts';

export async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--rounds');
  const rounds = at >= 0 ? Number(argv[at + 1]) : 50;
  const dirs = ['../pipelines/', '../test/dsl/parse-fixtures/'].map((d) => fileURLToPath(new URL(d, import.meta.url)));
  const texts = dirs.flatMap((dir) =>
    readdirSync(dir).filter((f) => f.endsWith('.cvr')).map((f) => [path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')] as const),
  );
  const chars = texts.reduce((n, [, t]) => n + t.length, 0);

  // One untimed warm-up of each.
  for (const [f, t] of texts) formatCvr(parseCvr(f, t).file);

  let t0 = performance.now();
  for (let i = 0; i < rounds; i++) for (const [f, t] of texts) parseCvr(f, t);
  const parseMs = (performance.now() - t0) / rounds;
  t0 = performance.now();
  for (let i = 0; i < rounds; i++) for (const [f, t] of texts) formatCvr(parseCvr(f, t).file);
  const fmtMs = (performance.now() - t0) / rounds;
  process.stdout.write(
    `${JSON.stringify({ bench: 'fmt', files: texts.length, chars, rounds, parse_ms: +parseMs.toFixed(3), fmt_ms: +fmtMs.toFixed(3), fmt_over_parse: +(fmtMs / parseMs).toFixed(2), parse_chars_per_ms: Math.round(chars / parseMs) })}\n`,
  );
  return 0;
}
