/**
 * `cvr plan` and `cvr run` key the DAG with one function (src/plan/run-keys.ts): after a finished
 * run, `cvr plan` shows every node cached, with the keys the run's lock file recorded; asking
 * `cvr plan` for another engine changes exactly the nodes from training on.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '../run/helpers.ts';
import { tinyPipeline, useTinyData } from '../run/fixtures/tiny-data.ts';
import { probeNative } from '../../src/engine/native/index.ts';

const CVR = fileURLToPath(new URL('../../bin/cvr.mjs', import.meta.url));

let dir = '';
useTinyData('keys', 6, (made) => (dir = made));

function cvr(args: readonly string[]): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CVR, ...args], { cwd: dir, env: { ...process.env, CI: '1', CVR_NATIVE_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); output += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
    child.on('exit', (code) => resolve({ code, stdout, output }));
  });
}

interface PlanJson { nodes: { id: string; kind: string; key: string; cached: boolean }[] }

describe('one key function for cvr plan and cvr run', () => {
  it('after a run, cvr plan (engine auto, as declared) shows every node cached with the lock file\'s keys', { timeout: 300_000 }, async () => {
    const file = join(dir, 'tiny.cvr');
    writeFileSync(file, tinyPipeline('metrics accuracy', undefined, { epochs: 1 }));
    const run = await cvr(['run', 'tiny.cvr', '--cache', 'cache', '--out', 'run']);
    expect(run.code, run.output).toBe(0);

    const plan = await cvr(['plan', 'tiny.cvr', '--cache', 'cache', '--format', 'json']);
    expect(plan.code, plan.output).toBe(0);
    const doc = JSON.parse(plan.stdout) as PlanJson;
    expect(doc.nodes.length).toBeGreaterThan(5);
    // gradcam and report write into the run folder and run every time (cache: false in
    // src/run/stage-handlers.ts); every other node must be found.
    expect(doc.nodes.filter((n) => !n.cached && n.kind !== 'report' && n.kind !== 'gradcam').map((n) => n.id)).toEqual([]);
    expect(doc.nodes.filter((n) => n.kind === 'train').length).toBe(1);

    // The keys the run itself recorded in its lock file (written by the runner, not by plan).
    const lock = readJson(join(dir, 'run', 'lock.json')) as { nodes: Record<string, string> };
    expect(Object.fromEntries(doc.nodes.map((n) => [n.id, n.key]))).toEqual(lock.nodes);
  });

  it('--engine on plan: the other engine changes the train keys and what follows, not the scan', { timeout: 120_000 }, async () => {
    const native = await probeNative();
    const other = native.available ? 'cpu' : 'native';
    if (other === 'native') return; // only one CPU engine here: nothing to compare against
    const auto = JSON.parse((await cvr(['plan', 'tiny.cvr', '--cache', 'cache', '--format', 'json'])).stdout) as PlanJson;
    const forced = await cvr(['plan', 'tiny.cvr', '--cache', 'cache', '--format', 'json', '--engine', other]);
    expect(forced.code, forced.output).toBe(0);
    const doc = JSON.parse(forced.stdout) as PlanJson;
    const keyOf = (d: PlanJson, id: string): string | undefined => d.nodes.find((n) => n.id === id)?.key;
    for (const n of doc.nodes) {
      const changed = keyOf(auto, n.id) !== n.key;
      expect(changed, n.id).toBe(['train', 'predict', 'metrics', 'gradcam', 'report'].includes(n.kind));
    }
  });

  it('an unknown engine on plan is the same error as on run (CVR702)', async () => {
    const r = await cvr(['plan', 'tiny.cvr', '--engine', 'abacus']);
    expect(r.code).toBe(1);
    expect(r.output).toContain('CVR702');
  });
});
