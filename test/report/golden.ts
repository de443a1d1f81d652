/**
 * Golden-file comparison: the expected text lives in a file beside the test. Set
 * `UPDATE_GOLDEN=1` to (re)write it after checking the new output by eye.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export function golden(actual: string, file: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
    if (process.env['CI'] !== undefined && !existsSync(file)) throw new Error(`golden file ${file} is missing`);
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
