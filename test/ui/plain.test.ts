import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { plainLogger } from '../../src/ui/plain.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { FULL, WAITING } from './fixtures/scripted.ts';

function logOf(events: readonly RunEvent[]): string {
  const out: string[] = [];
  const sink = plainLogger((text) => out.push(text));
  for (const event of events) sink(event);
  return out.join('');
}

/** Golden files: set UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff. */
function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('plain logger', () => {
  it('logs a whole scripted run as the golden file says', () => {
    golden('plain-run.golden.txt', logOf(FULL));
  });

  it('logs lock waits, stale locks, failures and stops', () => {
    golden('plain-waiting.golden.txt', logOf(WAITING));
  });

  it('writes nothing for batch events, one line for each epoch', () => {
    const batches = FULL.filter((e) => e.type === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    expect(logOf(batches)).toBe('');
    expect(logOf(FULL).match(/^epoch /gm)?.length).toBe(FULL.filter((e) => e.type === 'epoch').length);
  });
});
