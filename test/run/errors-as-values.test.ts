/**
 * Run-stage failures are values: a handler's `failed(diagnostics)` or `NodeFailure` reaches the
 * run outcome and the events as diagnostics with their codes (exit 1), an unexpected exception
 * is the only bug (CVR861, exit 3), every source's scan is reported before the run stops, and a
 * failed audit still writes audit.json.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan, PlanNode } from '../../src/plan/types.ts';
import type { RunEvent } from '../../src/run/events.ts';
import type { Handlers } from '../../src/run/executor.ts';
import { runPlan } from '../../src/run/runner.ts';
import { failed, NodeFailure, succeeded } from '../../src/run/node-result.ts';
import { makeDiagnostic } from '../../src/dsl/report.ts';
import { readJson, tempDir } from './helpers.ts';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

const node = (id: string, kind: PlanNode['kind'], inputs: string[] = []): PlanNode => ({ id, kind, key: `${id.replaceAll(':', '-')}-key`, streamKey: `${id.replaceAll(':', '-')}-key`, inputs, config: {} });
const PLAN: Plan = {
  pipeline: 'p',
  nodes: [node('scan:a', 'scan'), node('scan:b', 'scan'), node('scan:c', 'scan'), node('labels', 'labels', ['scan:a', 'scan:b', 'scan:c']), node('split', 'split', ['labels']), node('audit', 'audit', ['split'])],
  edges: [],
};

async function run(handlers: Handlers) {
  const { dir, dispose } = tempDir('values');
  disposers.push(dispose);
  const events: RunEvent[] = [];
  const outcome = await runPlan({ plan: PLAN, handlers, cacheDir: join(dir, 'cache'), runDir: join(dir, 'run'), seed: 1, engine: 'toy', classes: ['A', 'B'], sink: (e) => events.push(e), signal: new AbortController().signal });
  return { outcome, events, runDir: join(dir, 'run') };
}

const bad = (file: string) => makeDiagnostic('CVR504', undefined, `cannot read ${file}`, {}, file);

describe('run-stage errors are values', () => {
  it('names the bad files of every source before the run stops, as diagnostics, not a bug', async () => {
    const { outcome, events } = await run({
      scan: async (n) => (n.id === 'scan:b' ? succeeded({ images: [] }) : failed([bad(`${n.id}.png`)])),
      labels: async () => ({}),
    });
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.isBug).toBe(false);
    expect(outcome.failedId).toBe('scan:a');
    expect(outcome.diagnostics.map((d) => d.file)).toEqual(['scan:a.png', 'scan:c.png']);
    const failedEvents = events.filter((e) => e.type === 'node-failed');
    expect(failedEvents.map((e) => e.id)).toEqual(['scan:a', 'scan:c']);
    for (const e of failedEvents) expect(e.type === 'node-failed' && e.diagnostics?.[0]?.code).toBe('CVR504');
  });

  it('a thrown NodeFailure carries its diagnostics; a plain exception is a bug with CVR861', async () => {
    const user = await run({ scan: async () => { throw new NodeFailure('scanning failed', [bad('x.png')]); } });
    expect(user.outcome.status === 'failed' && [user.outcome.isBug, user.outcome.diagnostics[0]?.code]).toEqual([false, 'CVR504']);
    const bug = await run({ scan: async () => { throw new TypeError('undefined is not a function'); } });
    expect(bug.outcome.status === 'failed' && [bug.outcome.isBug, bug.outcome.diagnostics[0]?.code]).toEqual([true, 'CVR861']);
  });

  it('a failed audit still writes audit.json with its findings', async () => {
    const finding = makeDiagnostic('CVR601', undefined, 'source-class confounding');
    const { outcome, runDir } = await run({
      scan: async () => ({ images: [] }),
      labels: async () => ({}),
      split: async () => ({}),
      audit: async (_n, _i, ctx) => {
        ctx.emit({ type: 'audit', t: 0, sourceOnlyBaseline: 1, cramersV: 1, independent: false, findings: [{ code: 'CVR601', severity: 'error', message: 'source-class confounding' }] });
        return failed([{ ...finding, severity: 'error' }]);
      },
    });
    expect(outcome.status).toBe('failed');
    expect(existsSync(join(runDir, 'audit.json'))).toBe(true);
    const written = readJson(join(runDir, 'audit.json')) as { passed: boolean; sourceOnlyBaseline: number; findings: { code: string }[] };
    expect(written.passed).toBe(false);
    expect(written.sourceOnlyBaseline).toBe(1);
    expect(written.findings.map((f) => f.code)).toEqual(['CVR601']);
  });
});
