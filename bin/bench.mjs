#!/usr/bin/env node
// `npm run -s bench -- <name> [options]` runs bench/<name>.ts, which prints JSON lines.
import { register } from 'tsx/esm/api';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

register();
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const available = readdirSync(benchDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const [name, ...rest] = process.argv.slice(2);
if (name === undefined || !available.includes(name)) {
  process.stderr.write(`usage: npm run -s bench -- <name> [options]\nbenchmarks: ${available.join(', ') || '(none yet)'}\n`);
  process.exit(2);
}
const module = await import(join(benchDir, `${name}.ts`));
process.exitCode = (await module.main(rest)) ?? 0;
