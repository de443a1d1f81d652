/** Writes docs/diagnostics.md from the code table (`npm run -s docs:diagnostics`). */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CODES } from '../src/diag/codes/index.ts';
import { diagnosticsMarkdown } from '../src/diag/codes-doc.ts';

const target = fileURLToPath(new URL('../docs/diagnostics.md', import.meta.url));
writeFileSync(target, diagnosticsMarkdown(CODES));
process.stdout.write(`wrote ${target}\n`);
