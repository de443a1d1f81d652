import { afterEach, describe, expect, it } from 'vitest';
import React from 'react';
import { cleanup, render } from 'ink-testing-library';
import { expectGolden } from '../golden.ts';
import { fileURLToPath } from 'node:url';
import { RunView, statusStyle } from '../../src/ui/view.tsx';
import { foldState } from '../../src/ui/state.ts';
import type { NodeStatus } from '../../src/run/events.ts';
import { FULL, MIDWAY, PLAN } from './fixtures/scripted.ts';

afterEach(() => cleanup());

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

function frameOf(events: Parameters<typeof foldState>[0]): string {
  const { lastFrame } = render(<RunView state={foldState(events)} />);
  return stripAnsi(lastFrame() ?? '');
}

function golden(name: string, actual: string): void {
  expectGolden(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), actual);
}

describe('Ink run view', () => {
  it('shows the header and every node as pending or cached after the plan', () => {
    const frame = frameOf([PLAN]);
    expect(frame).toContain('cvr run tiny');
    expect(frame).toContain('engine tfjs-cpu · seed 7 · cache /cache');
    expect(frame).toContain('≡ train:cvrnet:0');
    expect(frame).toContain('· train:cvrnet:1');
    expect(frame).toContain('· metrics:cvrnet');
  });

  it('mid-training: audit at the top, running node, bars, throughput, ETA and sparklines', () => {
    const frame = frameOf(MIDWAY);
    golden('view-midway.golden.txt', frame);
    const lines = frame.split('\n');
    const at = (text: string): number => lines.findIndex((l) => l.includes(text));
    expect(at('audit: source-only baseline 100.0%')).toBeLessThan(at('▶ train:cvrnet:1'));
    expect(frame).toMatch(/batch\s+█+░+ 2\/3\s+80 img\/s · ETA 100ms/);
    expect(frame).toMatch(/epoch\s+█+░+ 2\/2/);
    expect(frame).toMatch(/fold\s+█+░+ 2\/2/);
    expect(frame).toMatch(/loss\s+█▁ 0\.5000/);
    expect(frame).toMatch(/acc\s+▁█ 0\.7500/);
  });

  it('prints finished lines once above the live area and ends with the summary and confusion matrix', () => {
    const { lastFrame, rerender, frames } = render(<RunView state={foldState(MIDWAY)} />);
    rerender(<RunView state={foldState(FULL)} />);
    const frame = stripAnsi(lastFrame() ?? '');
    golden('view-done.golden.txt', frame);
    const lines = frame.split('\n');
    const at = (text: string): number => lines.findIndex((l) => l.includes(text));
    // The header is printed first, the finished lines below it in the order they happened.
    expect(at('cvr run tiny')).toBe(0);
    expect(at('cvr run tiny')).toBeLessThan(at('↻ train:cvrnet:1 resumed from epoch 1 of 2'));
    expect(at('↻ train:cvrnet:1 resumed from epoch 1 of 2')).toBeLessThan(at('✔ train:cvrnet:1  2 epochs'));
    expect(at('✔ train:cvrnet:1  2 epochs')).toBeLessThan(at('● cvrnet fold 2: accuracy 0.800'));
    expect(frame).toContain('● cvrnet fold 1: accuracy 0.900');
    expect(frame).toMatch(/cvrnet\s+2\s+0\.850 ± 0\.071\s+0\.835 ± 0\.078/);
    expect(frame).toMatch(/NCV\s+40\s+10\nCVP\s+5\s+45/);
    expect(frame).not.toContain('batch  ');
    expect(frame).toContain('run done in 1.4s');
    // Static lines are written once: the resume note appears in exactly one frame's static part.
    expect(frames.length).toBeGreaterThan(1);
    expect(frame.split('↻ train:cvrnet:1').length).toBe(2);
  });

  it('shows the whole run: nodes done, elapsed time and an ETA that counts the folds still to train', () => {
    const plan = { ...PLAN, t: 0, nodes: ['train:m:0', 'train:m:1', 'train:m:2'].map((id) => ({ id, kind: 'train' as const, key: id, cached: false, inputs: [] })) };
    const start = (id: string, t: number) => ({ type: 'node-start', t, id, kind: 'train' }) as const;
    const batch = (id: string, t: number, b: number) =>
      ({ type: 'batch', t, id, model: 'm', fold: 0, epoch: 1, batch: b, batches: 4, epochs: 1, loss: 1, accuracy: 0.5, imagesPerSecond: 8 }) as const;
    // One batch of four took 1 s: the node has 3 s left, and two more folds of 4 s each follow.
    const early = frameOf([plan, start('train:m:0', 0), batch('train:m:0', 1000, 1)] as never);
    expect(early).toMatch(/run\s+░+ 0\/3 nodes\s+elapsed 1\.0s · ETA 11\.0s/);
    // Fold 1 took 4 s; fold 2 has just started (no batch yet): 4 s for it and 4 s for fold 3.
    const later = frameOf([plan, start('train:m:0', 0), batch('train:m:0', 1000, 1), { type: 'node-done', t: 4000, id: 'train:m:0', kind: 'train', ms: 4000 }, start('train:m:1', 4000)] as never);
    expect(later).toMatch(/run\s+█+░+ 1\/3 nodes\s+elapsed 4\.0s · ETA 8\.0s/);
    expect(later).toContain('▶ train:m:1 starting: building the model and the first batch');
  });

  it('wraps long audit findings at 80 columns with an indent', () => {
    const long = 'class CVP comes only from source b, so a rule that predicts the class from the source alone scores as well as any network could on this split';
    const frame = frameOf([PLAN, { type: 'audit', t: 1, sourceOnlyBaseline: 1, cramersV: 1, independent: false, findings: [{ code: 'CVR601', severity: 'warning', message: long }] }] as never);
    const lines = frame.split('\n').filter((l) => l.includes('CVR601') || l.startsWith('      '));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.slice(1).every((l) => l.startsWith('      '))).toBe(true);
    expect(lines.join(' ').replace(/\s+/g, ' ')).toContain(long);
  });

  it('shows a bar for a running node that reports progress, and drops it when the node is done', () => {
    const start = { type: 'node-start', t: 1, id: 'prep:a', kind: 'prep' } as const;
    const progress = { type: 'progress', t: 2, id: 'prep:a', done: 30, total: 120, unit: 'images' } as const;
    expect(frameOf([PLAN, start, progress])).toMatch(/▶ prep:a ██████░+ 30\/120 images/);
    expect(frameOf([PLAN, start, progress, { type: 'node-done', t: 3, id: 'prep:a', kind: 'prep', ms: 2 }])).not.toContain('30/120');
  });

  it('takes the planned epochs from the last epoch event when batch events omit them, for the ETA', () => {
    const batch = (t: number, epoch: number, n: number) =>
      ({ type: 'batch', t, id: 'train:cvrnet:1', model: 'cvrnet', fold: 1, epoch, batch: n, batches: 2, loss: 0.5, accuracy: 0.5, imagesPerSecond: 10 }) as const;
    const events = [
      PLAN,
      { type: 'node-start', t: 0, id: 'train:cvrnet:1', kind: 'train' } as const,
      batch(100, 1, 1),
      batch(200, 1, 2),
      { type: 'epoch', t: 200, id: 'train:cvrnet:1', model: 'cvrnet', fold: 1, epoch: 1, epochs: 3, logs: { loss: 0.5 } } as const,
      batch(300, 2, 1),
    ];
    // 3 batches in 300 ms; 3 left (1 of epoch 2, 2 of epoch 3).
    expect(frameOf(events)).toMatch(/batch\s+█+░+ 1\/2\s+10 img\/s · ETA 300ms/);
    expect(frameOf(events)).toMatch(/epoch\s+█+░+ 2\/3/);
  });

  it('with --jobs 2, shows each running training node in its own box side by side, each with its own bars and ETA', () => {
    const plan = { ...PLAN, t: 0, nodes: ['train:m:0', 'train:m:1', 'train:m:2'].map((id) => ({ id, kind: 'train' as const, key: id, cached: false, inputs: [] })) };
    const start = (id: string, t: number) => ({ type: 'node-start', t, id, kind: 'train' }) as const;
    const batch = (id: string, fold: number, t: number, b: number, loss: number) =>
      ({ type: 'batch', t, id, model: 'm', fold, folds: 3, epoch: 1, batch: b, batches: 4, epochs: 1, loss, accuracy: 0.5, imagesPerSecond: 8 }) as const;
    const events = [plan, start('train:m:0', 0), start('train:m:1', 0), batch('train:m:0', 0, 1000, 1, 0.9), batch('train:m:1', 1, 2000, 1, 0.7), batch('train:m:0', 0, 2000, 2, 0.8)];
    const frame = frameOf(events as never);
    golden('view-jobs2.golden.txt', frame);
    const lines = frame.split('\n');
    // Both node names on one line: the boxes stand side by side.
    const titles = lines.find((l) => l.includes('train:m:0') && l.includes('train:m:1') && l.includes('│'));
    expect(titles, frame).toBeDefined();
    // Fold 0: 2 batches in 2 s, 2 left → 2 s; fold 1: 1 batch in 2 s, 3 left → 6 s.
    const etas = [...frame.matchAll(/ETA (\d+\.\ds)/g)].map((m) => m[1]);
    expect(etas).toContain('2.0s');
    expect(etas).toContain('6.0s');
    const batchLine = lines.find((l) => /batch.*2\/4.*batch.*1\/4/.test(l));
    expect(batchLine, frame).toBeDefined();
    expect(frame).not.toContain('starting: building the model');
    // One ends: the other box stays, alone.
    const after = frameOf([...events, { type: 'node-done', t: 3000, id: 'train:m:0', kind: 'train', ms: 3000 }] as never);
    expect(after).toMatch(/│ train:m:1/);
    expect(after).not.toMatch(/│ train:m:0/);
  });

  it('says so while it waits for another run\'s cache lock, and forgets it once the plan starts', () => {
    const wait = { type: 'lock-wait', t: 1, lockFile: '/cache/lock.json', holderPid: 4242, holderHost: 'ws1', since: 0 } as const;
    expect(frameOf([wait])).toContain('waiting: the cache is in use by another cvr run (pid 4242 on ws1)');
    expect(frameOf([wait, PLAN])).not.toContain('waiting:');
  });

  it('says it is stopping after Ctrl-C, and that a rerun resumes once stopped', () => {
    expect(frameOf([...MIDWAY, { type: 'stopping', t: 1 }])).toContain('stopping at the next batch boundary');
    const stopped = frameOf([
      ...MIDWAY,
      { type: 'stopping', t: 1 },
      { type: 'node-cancelled', t: 2, id: 'train:cvrnet:1', kind: 'train' },
      { type: 'run-done', t: 3, ok: false, runDir: 'r', ms: 3, cancelled: true },
    ]);
    expect(stopped).not.toContain('stopping at the next batch boundary');
    expect(stopped).toContain('■ train:cvrnet:1 stopped; `cvr run` again resumes it');
    expect(stopped).toContain('run stopped after 3ms; `cvr run` again resumes it');
    expect(stopped).toContain('· train:cvrnet:1');
  });

  it.each<[NodeStatus, string]>([
    ['pending', 'gray'],
    ['running', 'yellow'],
    ['cached', 'cyan'],
    ['done', 'green'],
    ['failed', 'red'],
  ])('colours %s nodes %s', (status, colour) => {
    expect(statusStyle(status).color).toBe(colour);
  });

  it('gives every status its own mark', () => {
    const statuses: NodeStatus[] = ['pending', 'running', 'cached', 'done', 'failed'];
    expect(new Set(statuses.map((s) => statusStyle(s).mark)).size).toBe(statuses.length);
  });
});
