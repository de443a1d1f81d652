/**
 * Real processes: a runner child is killed (SIGKILL) or interrupted (SIGINT) in the middle of
 * training, rerun on the same cache, and must end with the metrics of an uninterrupted run.
 * The child runs the toy plan (test/run/fixtures/toy.ts) whose training checkpoints every epoch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson, tempDir } from './helpers.ts';
import { acquireCacheLock } from '../../src/run/lock.ts';

const RUNNER = fileURLToPath(new URL('./fixtures/toy-run.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

interface Child {
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly waitFor: (pattern: RegExp) => Promise<void>;
  readonly kill: (signal: NodeJS.Signals) => void;
}

function startRunner(args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, ...args], { cwd: ROOT, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(text)) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    output: () => text,
    exited,
    waitFor: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(text)) return resolve();
        waiters.push({ pattern, resolve });
        void exited.then(() => (pattern.test(text) ? resolve() : reject(new Error(`runner exited before ${pattern}:\n${text}`))));
      }),
    kill: (signal) => child.kill(signal),
  };
}

async function runToEnd(args: readonly string[]): Promise<string> {
  const child = startRunner(args);
  const { code } = await child.exited;
  expect(code, child.output()).toBe(0);
  return child.output();
}

const TRAINING = ['--folds', '2', '--epochs', '4', '--batches', '6'];

describe('kill and resume (child processes)', () => {
  it.each([
    ['SIGKILL', 'SIGKILL'],
    ['SIGINT', 'SIGINT'],
  ] as const)('after %s in the middle of training, a rerun resumes and ends with the same metrics', async (_name, signal) => {
    const { dir, dispose } = tempDir('kill');
    disposers.push(dispose);
    await runToEnd(['--cache', join(dir, 'ref-cache'), '--out', join(dir, 'ref'), ...TRAINING]);

    const victim = startRunner(['--cache', join(dir, 'cache'), '--out', join(dir, 'a'), '--batch-ms', '100', ...TRAINING]);
    await victim.waitFor(/^\S+ epoch +train:toy:1 2\/4/m);
    victim.kill(signal);
    const exit = await victim.exited;
    if (signal === 'SIGKILL') {
      expect(exit.signal).toBe('SIGKILL');
    } else {
      // SIGINT stops at a batch boundary and says how to resume.
      expect(exit.code).toBe(130);
      expect(victim.output()).toMatch(/^\S+ stopping at the next batch boundary/m);
      expect(victim.output()).toMatch(/^\S+ stopped +train:toy:1/m);
    }
    expect(victim.output()).not.toMatch(/^\S+ done +train:toy:1/m);

    const resumed = await runToEnd(['--cache', join(dir, 'cache'), '--out', join(dir, 'b'), ...TRAINING]);
    expect(resumed).toMatch(/^\S+ cached +train:toy:0/m);
    expect(resumed).toMatch(/^\S+ resumed +train:toy:1 from epoch [234] of 4/m);
    expect(resumed).not.toMatch(/^\S+ epoch +train:toy:1 1\/4/m);
    expect(readJson(join(dir, 'b', 'metrics.json'))).toEqual(readJson(join(dir, 'ref', 'metrics.json')));
    expect(readFileSync(join(dir, 'b', 'predictions.csv'), 'utf8')).toBe(readFileSync(join(dir, 'ref', 'predictions.csv'), 'utf8'));
  });

  it('a run waits for the lock another process holds, saying who holds it, then finishes', async () => {
    const { dir, dispose } = tempDir('share');
    disposers.push(dispose);
    const held = await acquireCacheLock(join(dir, 'cache'));
    if (!held.ok) throw new Error('could not take the lock');
    const waiting = startRunner(['--cache', join(dir, 'cache'), '--out', join(dir, 'a'), ...TRAINING]);
    await waiting.waitFor(new RegExp(`^\\S+ waiting: the cache is in use by another cvr run \\(pid ${process.pid} on `, 'm'));
    expect(waiting.output()).not.toMatch(/^\S+ start /m);
    await held.lock.release();
    expect((await waiting.exited).code, waiting.output()).toBe(0);
  });

  it('two runs started together on one cache both finish, training each node once', async () => {
    const { dir, dispose } = tempDir('share');
    disposers.push(dispose);
    const first = startRunner(['--cache', join(dir, 'cache'), '--out', join(dir, 'a'), '--batch-ms', '20', ...TRAINING]);
    const second = startRunner(['--cache', join(dir, 'cache'), '--out', join(dir, 'b'), '--batch-ms', '20', ...TRAINING]);
    expect((await first.exited).code, first.output()).toBe(0);
    expect((await second.exited).code, second.output()).toBe(0);
    // Whichever took the lock first trained; the other then found every node cached.
    const trained = `${first.output()}${second.output()}`.match(/^\S+ start +train:toy:0$/gm) ?? [];
    expect(trained).toHaveLength(1);
    expect(readJson(join(dir, 'b', 'metrics.json'))).toEqual(readJson(join(dir, 'a', 'metrics.json')));
  });
});
