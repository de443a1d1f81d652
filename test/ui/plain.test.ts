import { describe, expect, it } from 'vitest';
import { expectGolden } from '../golden.ts';
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

function golden(name: string, actual: string): void {
  expectGolden(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), actual);
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
