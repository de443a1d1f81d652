import { describe, expect, it } from 'vitest';
import { expectGolden } from '../golden.ts';
import { fileURLToPath } from 'node:url';
import { PROGRESS_EVERY_MS, plainLogger } from '../../src/ui/plain.ts';
import type { RunEvent } from '../../src/run/events.ts';
import { FULL, WAITING } from './fixtures/scripted.ts';

function logOf(events: readonly RunEvent[]): string {
  const out: string[] = [];
  const sink = plainLogger((text) => out.push(text), { clock: 'utc' });
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

  it('writes one line for each epoch, and no progress line for batches closer than 10 s apart', () => {
    const batches = FULL.filter((e) => e.type === 'batch');
    expect(batches.length).toBeGreaterThan(0);
    const span = batches[batches.length - 1]!.t - batches[0]!.t;
    if (span < PROGRESS_EVERY_MS) expect(logOf(batches)).toBe('');
    expect(logOf(FULL).match(/^\S+ epoch /gm)?.length).toBe(FULL.filter((e) => e.type === 'epoch').length);
  });

  it('prints a progress line every 10 s of a long epoch, with position, pace, elapsed time and ETA', () => {
    const t0 = Date.UTC(2026, 11, 1, 12, 0, 0);
    const events: RunEvent[] = [{ type: 'node-start', t: t0, id: 'train:m:0', kind: 'train' } as RunEvent];
    // 2 epochs of 100 batches, one batch every 0.5 s: a line at 10 s, 20 s, … of event time.
    for (let epoch = 1; epoch <= 2; epoch++) {
      for (let batch = 1; batch <= 100; batch++) {
        const n = (epoch - 1) * 100 + batch;
        events.push({ type: 'batch', t: t0 + n * 500, id: 'train:m:0', model: 'm', fold: 0, epoch, batch, batches: 100, epochs: 2, loss: 1, accuracy: 0.5, imagesPerSecond: 32 });
      }
    }
    const lines = logOf(events).trim().split('\n');
    expect(lines[0]).toBe('12:00:00Z start     train:m:0');
    const progress = lines.filter((l) => l.includes(' progress  '));
    expect(progress).toHaveLength(10);
    // After 20 batches (10 s), 180 are left at 0.5 s each: 90 s.
    expect(progress[0]).toBe('12:00:10Z progress  train:m:0 epoch 1/2 batch 20/100 · 32.0 images/s · elapsed 10.0s · ETA 1m30s');
    expect(progress[9]).toBe('12:01:40Z progress  train:m:0 epoch 2/2 batch 100/100 · 32.0 images/s · elapsed 1m40s · ETA 0ms');
  });

  it('prints non-training progress (preprocessing) with its rate and ETA', () => {
    const t0 = Date.UTC(2026, 11, 1, 12, 0, 0);
    const events: RunEvent[] = [{ type: 'node-start', t: t0, id: 'prep:a', kind: 'prep' } as RunEvent];
    for (let done = 50; done <= 400; done += 50) events.push({ type: 'progress', t: t0 + done * 100, id: 'prep:a', done, total: 400, unit: 'images' });
    const progress = logOf(events).trim().split('\n').filter((l) => l.includes(' progress  '));
    // Printed at 10 s (100 done of 400: 10 images/s, 300 left: 30 s), 20 s, 30 s, 40 s.
    expect(progress[0]).toBe('12:00:10Z progress  prep:a 100/400 images · 10.0 images/s · elapsed 10.0s · ETA 30.0s');
    expect(progress).toHaveLength(4);
  });
});
