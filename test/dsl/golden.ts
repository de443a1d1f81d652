import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Compares `actual` with a golden file. `UPDATE_GOLDEN=1 npx vitest run test/dsl` rewrites the
 * golden files instead (review the diff before committing).
 */
export function expectGolden(path: string, actual: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) {
    if (process.env['UPDATE_GOLDEN'] !== '1') throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 to create it`);
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
