/**
 * `npm run -s bench -- check [--rounds N]`: time of the whole front end (read, parse, resolve,
 * check) over pipelines/*.cvr, against parsing alone in the same run, as a ratio.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipelines, parseCvr } from '../src/dsl/index.ts';

export async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--rounds');
  const rounds = at >= 0 ? Number(argv[at + 1]) : 50;
  const dir = fileURLToPath(new URL('../pipelines/', import.meta.url));
  const files = readdirSync(dir).filter((f) => f.endsWith('.cvr')).map((f) => path.join(dir, f));
  const texts = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const readFile = async (p: string) => texts.get(p);

  // One untimed warm-up of each.
  for (const [f, t] of texts) parseCvr(f, t);
  await loadPipelines(files, { readFile });

  let t0 = performance.now();
  for (let i = 0; i < rounds; i++) for (const [f, t] of texts) parseCvr(f, t);
  const parseMs = (performance.now() - t0) / rounds;
  t0 = performance.now();
  let pipelines = 0;
  for (let i = 0; i < rounds; i++) pipelines = (await loadPipelines(files, { readFile })).pipelines.length;
  const checkMs = (performance.now() - t0) / rounds;
  process.stdout.write(
    `${JSON.stringify({ bench: 'check', files: files.length, pipelines, rounds, parse_ms: +parseMs.toFixed(3), check_ms: +checkMs.toFixed(3), check_over_parse: +(checkMs / parseMs).toFixed(2) })}\n`,
  );
  return 0;
}
