import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * The one golden-file comparison of the tests: `actual` must equal the file. Only with
 * `UPDATE_GOLDEN=1` (e.g. `UPDATE_GOLDEN=1 npx vitest run test/dsl`) are the files written
 * instead (review the diff before committing); without it a missing golden file fails.
 */
export function expectGolden(path: string, actual: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
