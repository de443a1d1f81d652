import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { tempDir, tinyPng, writeTree } from '../data/files.ts';
import { captureIo } from './capture-io.ts';

async function cvr(cwd: string, ...argv: string[]) {
  const io = captureIo({ cwd });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const SOURCES = `
  classes covid
  source cxri { folder "data/cxri"
                labels from path /(NORMAL|bacteria|virus)/
                map { "NORMAL" -> NOR, "bacteria" -> OBP, "virus" -> OVP } }
  source cidc { manifest "data/cidc/metadata.csv" { image "filename" label "finding" patient "patientid" root "data/cidc/images" }
                map { "Pneumonia/Viral/COVID-19" -> CVP } }
  source chexpert { folder "data/chexpert" map { "normal" -> NOR } }
  source ccxri { folder "data/ccxri" map { "COVID" -> CVP } }
  model cvrnet { weights none }
`;

const PIPELINES = `
pipeline independent {
  seed 20201107
  ${SOURCES}
  task NCV vs CVP
  split holdout { test sources cidc, chexpert  validation 20% }
}

pipeline single extends independent {
  source chexpert { drop }
  source ccxri { drop }
  split kfold 5 { stratified  validation 10% }
}
`;

let root: string;
beforeAll(async () => {
  root = await tempDir('cvr-cli-');
  const files: Record<string, Buffer | string> = {};
  let shade = 0;
  for (let i = 0; i < 20; i++) files[`data/cxri/NORMAL/IM-${i}.png`] = await tinyPng(shade++);
  for (let i = 0; i < 15; i++) files[`data/cxri/PNEUMONIA/person${i}_bacteria_${i}.png`] = await tinyPng(shade++);
  for (let i = 0; i < 10; i++) files[`data/cidc/images/c${i}.png`] = await tinyPng(shade++);
  files['data/cidc/metadata.csv'] = `patientid,filename,finding,view\n${Array.from({ length: 10 }, (_, i) => `p${i},c${i}.png,Pneumonia/Viral/COVID-19,PA`).join('\n')}\n`;
  for (let i = 0; i < 8; i++) files[`data/chexpert/normal/patient${i}_view1_frontal.png`] = await tinyPng(shade++);
  for (let i = 0; i < 12; i++) files[`data/ccxri/COVID/COVID-${i}.png`] = await tinyPng(shade++);
  files['paper.cvr'] = PIPELINES;
  await writeTree(root, files);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('cvr audit', () => {
  it('CXR-Single-CL2 design: JSON with the cli.md keys, baseline 1.0 and a confounding finding', async () => {
    const r = await cvr(root, 'audit', 'paper.cvr', '--pipeline', 'single', '--format', 'json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    for (const key of ['pipeline', 'counts', 'sourceOnlyBaseline', 'cramersV', 'independent', 'findings']) expect(doc).toHaveProperty(key);
    expect(doc.pipeline).toBe('single');
    expect(doc.sourceOnlyBaseline).toBe(1);
    expect(doc.independent).toBe(false);
    expect(doc.findings.map((f: { code: string }) => f.code)).toContain('CVR601');
    for (const f of doc.findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['code', 'severity', 'message']));
    const total = doc.counts.filter((c: { partition: string }) => c.partition.endsWith(':test')).reduce((n: number, c: { n: number }) => n + c.n, 0);
    expect(total).toBe(45);
    expect(doc.counts[0]).toEqual({ source: 'cxri', class: 'NCV', partition: 'fold1:train', n: expect.any(Number) });
  });

  it('independent design: the training prior for the unseen test sources and independent: true', async () => {
    const r = await cvr(root, 'audit', 'paper.cvr', '--pipeline', 'independent', '--format', 'json', '--metadata-only');
    const doc = JSON.parse(r.out);
    expect(doc.independent).toBe(true);
    const [fold] = doc.baselineFolds;
    // Training: cxri 35 NCV + ccxri 12 CVP → prior NCV; test: chexpert 8 NCV, cidc 10 CVP.
    expect(fold.trainingPrior).toEqual({ class: 'NCV', fraction: 35 / 47 });
    expect(doc.trainingPrior).toEqual(fold.trainingPrior);
    expect(doc.findings.find((f: { code: string }) => f.code === 'CVR600').message).toContain('unseen test sources cidc, chexpert get the training prior NCV');
    expect(fold.rule).toEqual({ cidc: { class: 'NCV', from: 'prior' }, chexpert: { class: 'NCV', from: 'prior' } });
    expect(doc.sourceOnlyBaseline).toBeCloseTo(8 / 18, 12);
  });

  it('prints human tables and the findings', async () => {
    const r = await cvr(root, 'audit', 'paper.cvr', '--pipeline', 'single', '--metadata-only');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/source\s+class\s+fold1\s+fold2\s+fold3\s+fold4\s+fold5\s+total/);
    expect(r.out).toMatch(/cxri\s+NCV\s+7\s+7\s+7\s+7\s+7\s+35/);
    expect(r.out).toContain('source-only baseline  100% (mean over 5 folds)');
    expect(r.out).toContain('warning[CVR601]');
  });

  it('rejects unknown pipelines and options with exit code 2', async () => {
    expect((await cvr(root, 'audit', 'paper.cvr', '--pipeline', 'nope')).code).toBe(2);
    expect((await cvr(root, 'audit', 'paper.cvr', '--bogus')).code).toBe(2);
    expect((await cvr(root, 'audit', 'paper.cvr', '--seed', 'x')).code).toBe(2);
  });
});

describe('cvr lock and audit --frozen', () => {
  it('passes on unchanged data and fails naming the added and rewritten images', async () => {
    const lockPath = join(root, 'frozen.lock.json');
    const w = await cvr(root, 'lock', 'paper.cvr', '--out', lockPath);
    expect(w.code).toBe(0);
    const lock = JSON.parse(await readFile(lockPath, 'utf8'));
    expect(lock.pipelines.single.seed).toBe(20201107);
    expect(lock.pipelines.single.sources.cxri.images).toBe(35);
    expect(lock.pipelines.single.sources.cxri.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(lock.pipelines.single.split.assignmentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(lock.lockVersion).toBe(2);
    const roles = lock.pipelines.single.split.roles.cxri as Record<string, string>;
    expect(Object.keys(roles)).toHaveLength(35);
    // kfold 5 with validation: each image is tested in one fold and may validate in others.
    expect(Object.values(roles).every((r) => /^fold[1-5]( val:fold[1-5])*$/.test(r))).toBe(true);
    expect(lock.versions.cvr).toBe('0.1.0');

    const ok = await cvr(root, 'audit', 'paper.cvr', '--frozen', '--lock', lockPath, '--format', 'json');
    expect(ok.code).toBe(0);

    await writeFile(join(root, 'data/cxri/NORMAL/IM-new.png'), await tinyPng(250));
    await writeFile(join(root, 'data/cxri/NORMAL/IM-0.png'), await tinyPng(251));
    try {
      const bad = await cvr(root, 'audit', 'paper.cvr', '--pipeline', 'single', '--frozen', '--lock', lockPath, '--format', 'json');
      expect(bad.code).toBe(1);
      const changes = JSON.parse(bad.out).findings.filter((f: { code: string }) => f.code === 'CVR650');
      expect(changes.map((f: { data: { change: string; first: string[] } }) => [f.data.change, f.data.first])).toEqual([
        ['added', ['NORMAL/IM-new.png']],
        ['content', ['NORMAL/IM-0.png']],
      ]);
      const seed = await cvr(root, 'audit', 'paper.cvr', '--pipeline', 'single', '--frozen', '--lock', lockPath, '--metadata-only', '--seed', '5');
      expect(seed.out).toContain('seed changed: 20201107 → 5');
    } finally {
      await rm(join(root, 'data/cxri/NORMAL/IM-new.png'));
      await writeFile(join(root, 'data/cxri/NORMAL/IM-0.png'), await tinyPng(0));
    }
  });

  it('relocking one pipeline keeps the others\' entries', async () => {
    const lockPath = join(root, 'partial.lock.json');
    expect((await cvr(root, 'lock', 'paper.cvr', '--out', lockPath, '--metadata-only')).code).toBe(0);
    expect((await cvr(root, 'lock', 'paper.cvr', '--out', lockPath, '--metadata-only', '--pipeline', 'single', '--seed', '3')).code).toBe(0);
    const lock = JSON.parse(await readFile(lockPath, 'utf8'));
    expect(Object.keys(lock.pipelines).sort()).toEqual(['independent', 'single']);
    expect(lock.pipelines.single.seed).toBe(3);
    expect(lock.pipelines.independent.seed).toBe(20201107);
  });

  it('reports a missing lock file', async () => {
    const r = await cvr(root, 'audit', 'paper.cvr', '--frozen', '--lock', join(root, 'none.json'), '--metadata-only');
    expect(r.code).toBe(1);
    expect(r.out).toContain('CVR651');
  });
});

describe('cvr plan', () => {
  it('lists nodes with content-hash keys and marks those present in <cache>/nodes/<key>', async () => {
    const cache = join(root, 'cache');
    const first = JSON.parse((await cvr(root, 'plan', 'paper.cvr', '--pipeline', 'single', '--format', 'json', '--cache', cache)).out);
    const ids = first.nodes.map((n: { id: string }) => n.id);
    expect(ids).toEqual(expect.arrayContaining(['scan:cxri', 'scan:cidc', 'labels', 'split', 'audit', 'prep:cxri', 'train:cvrnet:0', 'train:cvrnet:4', 'predict:cvrnet:4', 'metrics:cvrnet', 'report']));
    expect(first.nodes.every((n: { cached: boolean }) => n.cached === false)).toBe(true);
    // Topological: every edge goes forward in the node order.
    for (const [from, to] of first.edges) expect(ids.indexOf(from)).toBeLessThan(ids.indexOf(to));
    const scanKey = first.nodes.find((n: { id: string }) => n.id === 'scan:cxri').key;
    await mkdir(join(cache, 'nodes', scanKey), { recursive: true });
    const second = JSON.parse((await cvr(root, 'plan', 'paper.cvr', '--pipeline', 'single', '--format', 'json', '--cache', cache)).out);
    expect(second.nodes.filter((n: { cached: boolean }) => n.cached).map((n: { id: string }) => n.id)).toEqual(['scan:cxri']);
  });

  it('a new seed changes the split and everything downstream, not the scans, labels or preprocessing', async () => {
    const keys = async (...extra: string[]) =>
      new Map<string, string>(JSON.parse((await cvr(root, 'plan', 'paper.cvr', '--pipeline', 'single', '--format', 'json', ...extra)).out).nodes.map((n: { id: string; key: string }) => [n.id, n.key]));
    const a = await keys();
    const b = await keys('--seed', '99');
    const changed = [...a.keys()].filter((id) => a.get(id) !== b.get(id)).sort();
    expect(changed).not.toContain('scan:cxri');
    expect(changed).not.toContain('labels');
    expect(changed).not.toContain('prep:cidc');
    expect(changed).toEqual(expect.arrayContaining(['split', 'audit', 'train:cvrnet:0', 'metrics:cvrnet', 'report']));
  });

  it('adding an image changes its scan key and not the other source\'s', async () => {
    const keys = async () => new Map<string, string>(JSON.parse((await cvr(root, 'plan', 'paper.cvr', '--pipeline', 'single', '--format', 'json')).out).nodes.map((n: { id: string; key: string }) => [n.id, n.key]));
    const a = await keys();
    await writeFile(join(root, 'data/cxri/NORMAL/IM-extra.png'), await tinyPng(240));
    const b = await keys();
    await rm(join(root, 'data/cxri/NORMAL/IM-extra.png'));
    expect(b.get('scan:cxri')).not.toBe(a.get('scan:cxri'));
    expect(b.get('scan:cidc')).toBe(a.get('scan:cidc'));
  });

  it('prints Graphviz with --dot and text by default', async () => {
    const dot = await cvr(root, 'plan', 'paper.cvr', '--pipeline', 'single', '--dot');
    expect(dot.out).toMatch(/^digraph "single" \{/);
    expect(dot.out).toContain('"split" -> "audit";');
    const text = await cvr(root, 'plan', 'paper.cvr', '--pipeline', 'independent');
    expect(text.out).toMatch(/^plan independent: \d+ nodes/);
    expect(text.out).toMatch(/train:cvrnet:0\s+[0-9a-f]{12}\s+to run/);
  });
});

describe('an official train/test list (COVIDx-style, whitespace, no header)', () => {
  it('is flagged as not independent when its test sources also appear in training', async () => {
    const dir = await tempDir('cvr-covidx-');
    try {
      await writeTree(dir, {
        'data/covidx/train.txt': 'p1 a.png positive cohen\np2 b.png negative rsna\np3 c.png positive ricord\np4 d.png negative rsna\np5 e.png positive ricord\n',
        'data/covidx/test.txt': 'p9 t1.png positive ricord\np8 t2.png negative rsna\n',
        'covidx.cvr': `pipeline covidx {
  seed 1
  classes covid
  sources from manifest "data/covidx/train.txt" { columns patient image label source  root "data/covidx/train"  partition train  map { "positive" -> CVP, "negative" -> NCV } }
  sources from manifest "data/covidx/test.txt" { columns patient image label source  root "data/covidx/test"  partition test  map { "positive" -> CVP, "negative" -> NCV } }
  task NCV vs CVP
  split given { }
  model cvrnet { weights none }
}
`,
      });
      const r = await cvr(dir, 'audit', 'covidx.cvr', '--metadata-only', '--format', 'json');
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.out);
      expect(doc.independent).toBe(false);
      expect(doc.sourceOnlyBaseline).toBe(1);
      expect(doc.independence.sharedSources).toEqual({ given: ['rsna', 'ricord'] });
      expect(doc.findings.map((f: { code: string }) => f.code)).toEqual(expect.arrayContaining(['CVR601', 'CVR610']));
      expect(doc.counts).toContainEqual({ source: 'ricord', class: 'CVP', partition: 'test', n: 1 });
      const full = await cvr(dir, 'audit', 'covidx.cvr', '--format', 'json');
      expect(full.code).toBe(1);
      const missing = JSON.parse(full.out).findings.filter((f: { code: string }) => f.code === 'CVR504');
      expect(missing.map((f: { data: { count: number } }) => f.data.count).sort()).toEqual([1, 1, 1, 2, 2]); // per source and list: cohen 1; rsna 2 + 1; ricord 2 + 1
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
