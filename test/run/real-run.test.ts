/**
 * `cvr run` end to end with the real stages (scan, audit, preprocessing, tfjs training,
 * prediction, metrics) on a tiny generated image set: SIGKILL in the middle of training, rerun,
 * same metrics and predictions as an uninterrupted run; and an edit of only the `evaluate`
 * block reuses every training node. Slow on the plain cpu engine (about a minute), so kept to
 * one model, one fold, three epochs.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from './helpers.ts';
import { useTinyData, writeTinyPipeline } from './fixtures/tiny-data.ts';

const CVR = fileURLToPath(new URL('../../bin/cvr.mjs', import.meta.url));

let dir = '';
useTinyData('real', 12, (made) => (dir = made));

function cvr(args: readonly string[], killOn?: RegExp): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CVR, ...args], { cwd: dir, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (killOn !== undefined && killOn.test(output)) child.kill('SIGKILL');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

function onlyRunDir(parent: string): string {
  const [name] = readdirSync(parent);
  return join(parent, name ?? '');
}

describe('cvr run with the real stages', () => {
  it('stops before training when the audit finds an error, pointing at the statement', { timeout: 120_000 }, async () => {
    const file = writeTinyPipeline(dir, 'metrics accuracy', 'split holdout { test 25% stratified  validation test }');
    const result = await cvr(['run', file, '--cache', 'audit-cache', '--out', 'audit-run']);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/^\S+ failed +audit: the audit found 1 error/m);
    expect(result.output).toMatch(/error\[CVR640\] tiny\.cvr:7:3 `validation test`/);
    expect(result.output).not.toMatch(/^\S+ start +train:/m);
    expect(result.output).toContain('cvr run: stopped at audit');
  });

  it('resumes after SIGKILL mid-training with the metrics of an uninterrupted run; an evaluate-only edit retrains nothing', { timeout: 600_000 }, async () => {
    const file = writeTinyPipeline(dir, 'metrics accuracy, f1  confusion');
    const reference = await cvr(['run', file, '--cache', 'ref-cache', '--out', 'ref']);
    expect(reference.code, reference.output).toBe(0);

    const killed = await cvr(['run', file, '--cache', 'cache', '--out', 'killed'], /^\S+ epoch +train:resnet50:0 2\/3/m);
    // An epoch is announced only after its checkpoint is written: the kill lands after epoch 2's.
    expect(killed.signal, killed.output).toBe('SIGKILL');
    expect(killed.output).not.toMatch(/^\S+ done +train:/m);

    const resumed = await cvr(['run', file, '--cache', 'cache', '--out', 'resumed']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toMatch(/^\S+ resumed +train:resnet50:0/m);
    expect(resumed.output).not.toMatch(/^\S+ epoch +train:resnet50:0 [12]\/3/m);
    expect(readJson(join(dir, 'resumed', 'metrics.json'))).toEqual(readJson(join(dir, 'ref', 'metrics.json')));
    expect(readFileSync(join(dir, 'resumed', 'predictions.csv'), 'utf8')).toBe(readFileSync(join(dir, 'ref', 'predictions.csv'), 'utf8'));

    writeTinyPipeline(dir, 'metrics accuracy, f1, auc  confusion  by_source');
    const edited = await cvr(['run', file, '--cache', 'ref-cache']);
    expect(edited.code, edited.output).toBe(0);
    for (const id of ['scan:a', 'scan:b', 'split', 'audit', 'prep:a', 'prep:b', 'train:resnet50:0', 'predict:resnet50:0']) {
      expect(edited.output).toMatch(new RegExp(`^\\S+ cached +${id}$`, 'm'));
    }
    expect(edited.output).toMatch(/^\S+ start +metrics:resnet50$/m);
    expect(edited.output).not.toMatch(/^\S+ start +(train|predict|prep):/m);
    const runDir = onlyRunDir(join(dir, 'runs', 'tiny'));
    for (const name of ['pipeline.cvr', 'lock.json', 'audit.json', 'metrics.json', 'predictions.csv', 'events.ndjson']) expect(readdirSync(runDir)).toContain(name);
  });
});
