/**
 * Node keys hold cvr's version and each kind's output schema version (src/plan/key-versions.ts),
 * so a new cvr or a changed output shape never reads an old cache entry; the random streams
 * derive from `streamKey`, which holds neither, so a seed's numbers do not move with a bump.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { buildPlan, currentKeyVersions, planRunKeys, OUTPUT_SCHEMA_VERSIONS, type KeyVersions, type Plan } from '../../src/plan/index.ts';
import type { ResolvedPipeline } from '../../src/dsl/resolved.ts';
import { twoSourceKfold } from '../data/pipeline-fixture.ts';

const base = (): ResolvedPipeline => twoSourceKfold('/nonexistent', 2);

const byId = (plan: Plan, pick: 'key' | 'streamKey'): Map<string, string> => new Map(plan.nodes.map((n) => [n.id, n[pick]]));
const changed = (a: Map<string, string>, b: Map<string, string>): string[] => [...a.keys()].filter((id) => a.get(id) !== b.get(id)).sort();

/** Sorted-key JSON, written here again so the test does not lean on the code it checks. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('versions in the node keys', () => {
  const current = currentKeyVersions();
  const plan = buildPlan(base());

  it('a key hashes kind, config, input keys, cvr\'s version and the kind\'s schema version; the stream key the same without versions and without folders', () => {
    const keys = new Map<string, string>();
    const streams = new Map<string, string>();
    for (const n of plan.nodes) {
      const own = { kind: n.kind, config: n.config };
      // The streams do not see where a source's files are (its folders), only what they are.
      const { locations: _where, ...pathFree } = n.config;
      expect(n.streamKey, n.id).toBe(sha(sortedJson({ kind: n.kind, config: n.kind === 'scan' ? pathFree : n.config, inputs: n.inputs.map((i) => streams.get(i)) })));
      expect(n.key, n.id).toBe(sha(sortedJson({ ...own, inputs: n.inputs.map((i) => keys.get(i)), cvr: current.cvr, outputSchema: OUTPUT_SCHEMA_VERSIONS[n.kind] })));
      keys.set(n.id, n.key);
      streams.set(n.id, n.streamKey);
    }
    expect(current.cvr).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('another cvr version changes every key and no stream key', () => {
    const bumped = buildPlan(base(), { versions: { ...current, cvr: `${current.cvr}-next` } });
    expect(changed(byId(plan, 'key'), byId(bumped, 'key'))).toEqual(plan.nodes.map((n) => n.id).sort());
    expect(changed(byId(plan, 'streamKey'), byId(bumped, 'streamKey'))).toEqual([]);
  });

  it('bumping one kind\'s output schema changes the keys of its nodes and of everything downstream, and no stream key', () => {
    const versions: KeyVersions = { ...current, outputSchema: { ...current.outputSchema, predict: current.outputSchema.predict + 1 } };
    const bumped = buildPlan(base(), { versions });
    expect(changed(byId(plan, 'key'), byId(bumped, 'key'))).toEqual(['metrics:cvrnet', 'predict:cvrnet:0', 'predict:cvrnet:1', 'report']);
    expect(changed(byId(plan, 'streamKey'), byId(bumped, 'streamKey'))).toEqual([]);
  });

  it('planRunKeys (cvr plan and cvr run) uses the current versions and passes a bump through', async () => {
    const declared = planRunKeys(base(), { engine: 'cpu', unlisted: 'omit' });
    const bumped = planRunKeys(base(), { engine: 'cpu', unlisted: 'omit', versions: { ...current, cvr: 'other' } });
    const [a, b] = await Promise.all([declared, bumped]);
    if (!a.ok || !b.ok) throw new Error('planRunKeys with unlisted "omit" always gives a plan');
    expect(byId(a.plan, 'key')).toEqual(byId(buildPlan({ ...base(), engine: 'cpu' }), 'key'));
    expect(changed(byId(a.plan, 'key'), byId(b.plan, 'key'))).toHaveLength(a.plan.nodes.length);
    expect(byId(a.plan, 'streamKey')).toEqual(byId(b.plan, 'streamKey'));
  });
});
