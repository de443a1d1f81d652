/**
 * `cvr run --jobs 2` with the real stages on a tiny image set (2 folds): the two folds train in
 * two worker processes at the same time, and metrics.json and predictions.csv are the same bytes
 * as with `--jobs 1`; Ctrl-C in the middle of training stops every worker, and a rerun resumes
 * and ends with the same bytes again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';
import { writeTinyData, tinyPipeline } from './fixtures/tiny-data.ts';
import { writeFileSync } from 'node:fs';
import type { RunEvent } from '../../src/run/events.ts';

const CVR = fileURLToPath(new URL('../../bin/cvr.mjs', import.meta.url));

let dir = '';
let dispose = (): void => undefined;
beforeAll(async () => {
  ({ dir, dispose } = tempDir('jobs'));
  await writeTinyData(dir, 12);
  writeFileSync(join(dir, 'tiny.cvr'), tinyPipeline('metrics accuracy, f1  confusion', 'split kfold 2 { stratified }'));
});
afterAll(() => dispose());

function cvr(args: readonly string[], interruptOn?: RegExp): Promise<{ code: number | null; output: string; pid: number }> {
  return new Promise((resolve) => {
    // One engine thread a node, as the demo runs: a worker each keeps it, so the bytes cannot differ.
    const child = spawn(process.execPath, [CVR, ...args], { cwd: dir, env: { ...process.env, CI: '1', CVR_NATIVE_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let sent = false;
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (interruptOn !== undefined && !sent && interruptOn.test(output)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, output, pid: child.pid ?? -1 }));
  });
}

const bytes = (run: string, name: string): string => readFileSync(join(dir, run, name), 'utf8');

function events(run: string): RunEvent[] {
  return bytes(run, 'events.ndjson')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RunEvent);
}

/** Processes still running whose command line names this run folder (the workers of that run). */
function workersOf(runDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `run-node.*${runDir}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('cvr run --jobs 2', () => {
  it('trains the folds side by side with the bytes of --jobs 1; Ctrl-C stops the workers and a rerun resumes', { timeout: 900_000 }, async () => {
    const one = await cvr(['run', 'tiny.cvr', '--cache', 'cache-1', '--out', 'one']);
    expect(one.code, one.output).toBe(0);
    const two = await cvr(['run', 'tiny.cvr', '--cache', 'cache-2', '--out', 'two', '--jobs', '2']);
    expect(two.code, two.output).toBe(0);
    expect(bytes('two', 'metrics.json')).toBe(bytes('one', 'metrics.json'));
    expect(bytes('two', 'predictions.csv')).toBe(bytes('one', 'predictions.csv'));

    // Side by side: each fold started before the other finished, in a worker of its own.
    const log = events('two');
    const at = (type: string, id: string): number => log.findIndex((e) => e.type === type && 'id' in e && e.id === id);
    expect(at('node-start', 'train:resnet50:1')).toBeLessThan(at('node-done', 'train:resnet50:0'));
    expect(at('node-start', 'train:resnet50:0')).toBeLessThan(at('node-done', 'train:resnet50:1'));
    expect(readdirSync(join(dir, 'two', 'workers')).sort()).toEqual(['prepared.json', 'worker-0.log', 'worker-1.log']);
    // The workers start from the parent's plan (no scan, no planning of their own): its keys are the run's.
    const saved = JSON.parse(bytes('two', 'workers/prepared.json')) as { plan: { nodes: { id: string; key: string }[] } };
    const lock = JSON.parse(bytes('two', 'lock.json')) as { nodes: Record<string, string> };
    expect(Object.fromEntries(saved.plan.nodes.map((n) => [n.id, n.key]))).toEqual(lock.nodes);
    expect(bytes('two', 'workers/worker-0.log')).not.toMatch(/scan|CVR873/);

    const stopped = await cvr(['run', 'tiny.cvr', '--cache', 'cache-3', '--out', 'stopped', '--jobs', '2'], /^\S+ epoch +train:resnet50:\d 1\/3/m);
    expect(stopped.code, stopped.output).toBe(130);
    expect(stopped.output).not.toMatch(/^\S+ done +train:/m);
    expect(workersOf(join(dir, 'stopped'))).toEqual([]);
    const resumed = await cvr(['run', 'tiny.cvr', '--cache', 'cache-3', '--out', 'resumed', '--jobs', '2']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toMatch(/^\S+ resumed +train:resnet50:\d/m);
    expect(bytes('resumed', 'metrics.json')).toBe(bytes('one', 'metrics.json'));
    expect(bytes('resumed', 'predictions.csv')).toBe(bytes('one', 'predictions.csv'));
  });
});
