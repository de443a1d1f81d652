/**
 * No fixture of the test suite loses a row outside the ledger (issue 13, "Done when"): every
 * manifest row and every file the suite's data fixtures hold is counted in `read` by the source
 * that reads it, and each source's lines add up to `read`. Over (1) every file of
 * test/fixtures/real-metadata (a fixture without an entry below fails the test) and (2) the
 * phantoms of `cvr synth --preset paper` audited by every pipeline of pipelines/. The counts of
 * rows and files are made here by plain reading (plain-csv.ts, readdir), not by cvr.
 */
import { copyFile, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPipelines } from '../../src/dsl/index.ts';
import type { ResolvedPipeline } from '../../src/dsl/index.ts';
import { auditPipeline } from '../../src/plan/audit-pipeline.ts';
import type { SourceLedger } from '../../src/data/ledger.ts';
import { synthesize } from '../../src/data/synth/index.ts';
import { tempDir } from './files.ts';
import { plainCsv } from './plain-csv.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/real-metadata/', import.meta.url));
const PIPELINES = fileURLToPath(new URL('../../pipelines/', import.meta.url));

function addsUp(ledger: readonly SourceLedger[]): void {
  for (const s of ledger) expect(s.lines.reduce((n, l) => n + l.count, 0), `${s.source}: lines vs read`).toBe(s.read);
}

/** Data rows of a CSV file with a header (blank lines are not rows). */
async function csvRows(file: string): Promise<number> {
  return plainCsv(await readFile(file, 'utf8')).slice(1).filter((r) => !(r.length === 1 && r[0] === '')).length;
}

/** Lines of a whitespace-separated list that hold something. */
async function listLines(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '').length;
}

/** Per fixture: the manifest block that reads it (header names as published) and its row count. */
const READERS: Readonly<Record<string, { block: string; rows: (file: string) => Promise<number> }>> = {
  'cidc-metadata.excerpt.csv': {
    block: 'source cidc {\n    manifest "FILE" { image "filename"  label "finding"  patient "patientid"  root "images" }\n    map { other -> drop }\n  }',
    rows: csvRows,
  },
  'Data_Entry_2017.excerpt.csv': {
    block: 'source nih {\n    manifest "FILE" { image "Image Index"  label "Finding Labels" split "|"  patient "Patient ID"  root "images" }\n    map { other -> drop }\n  }',
    rows: csvRows,
  },
  'figure1-metadata.csv': {
    block: 'source figure1 {\n    manifest "FILE" { image "{patientid}.png"  label "finding"  patient "patientid"  root "images" }\n    map { other -> drop }\n  }',
    rows: csvRows,
  },
  'train_COVIDx9B.excerpt.txt': {
    block: 'sources from manifest "FILE" {\n    columns patient image label source\n    delimiter whitespace\n    map { other -> drop }\n  }',
    rows: listLines,
  },
  'test_COVIDx9B.excerpt.txt': {
    block: 'sources from manifest "FILE" {\n    columns patient image label source\n    delimiter whitespace\n    map { other -> drop }\n  }',
    rows: listLines,
  },
};

let root: string;
beforeAll(async () => {
  root = await tempDir('cvr-no-row-lost-');
});

async function auditFile(cvr: string) {
  const loaded = await loadPipelines([cvr]);
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded.pipelines;
}

describe('no fixture loses a row outside the ledger', () => {
  const fixtures = readdirSync(FIXTURES).filter((f) => !f.endsWith('.md')).sort();

  it('every real-metadata fixture has a reader here', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(5);
    expect(fixtures.filter((f) => READERS[f] === undefined)).toEqual([]);
  });

  it.each(fixtures)('%s: the sources that read it count every row, and their lines add up', async (name) => {
    const reader = READERS[name]!;
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await copyFile(join(FIXTURES, name), join(dir, name));
    await writeFile(
      join(dir, 'p.cvr'),
      `pipeline p {\n  seed 1\n  task NOR vs CVP\n  split holdout { test 20% }\n  model cvrnet\n  ${reader.block.replace('FILE', name)}\n}\n`,
    );
    const [pipeline] = await auditFile(join(dir, 'p.cvr'));
    const result = await auditPipeline(pipeline!, { metadataOnly: true });
    const ledger = result.ledger ?? [];
    expect(ledger.length).toBeGreaterThan(0);
    expect(ledger.reduce((n, s) => n + s.read, 0)).toBe(await reader.rows(join(dir, name)));
    addsUp(ledger);
  });
});

describe('no phantom of `synth --preset paper` is lost by the pipelines of pipelines/', () => {
  let work = '';
  beforeAll(async () => {
    work = await tempDir('cvr-no-row-lost-paper-');
    const made = await synthesize({ preset: 'paper', out: join(work, 'data'), seed: 11, scale: 0.001, size: 16, workers: 0 });
    expect(made.ok).toBe(true);
    await cp(PIPELINES, join(work, 'pipelines'), { recursive: true });
  }, 300_000);

  /** What a location holds, counted by plain reading: the files under a folder, the rows of a manifest. */
  async function held(location: ResolvedPipeline['sources'][number]['locations'][number]): Promise<{ key: string; n: number }> {
    if (location.kind === 'folder') {
      const entries = await readdir(location.dir, { recursive: true, withFileTypes: true });
      return { key: location.dir, n: entries.filter((e) => e.isFile()).length };
    }
    return { key: location.file, n: location.columns.positional !== undefined ? await listLines(location.file) : await csvRows(location.file) };
  }

  const keyOf = (l: ResolvedPipeline['sources'][number]['locations'][number]): string => (l.kind === 'folder' ? l.dir : l.file);

  const files = readdirSync(PIPELINES).filter((f) => f.endsWith('.cvr') && f !== 'common.cvr').sort();

  it.each(files)('pipelines/%s: every file and row of each source is read, and each ledger adds up', async (file) => {
    const pipelines = await auditFile(join(work, 'pipelines', file));
    expect(pipelines.length).toBeGreaterThan(0);
    for (const declared of pipelines) {
      const result = await auditPipeline(declared, { metadataOnly: false, concurrency: 4 });
      const ledger = result.ledger ?? [];
      // A multi-source list is shared by the sources it names, and a source may read several
      // lists: every distinct location's rows or files, together, are what the sources read.
      const held_ = new Map<string, number>();
      for (const source of result.pipeline.sources) {
        for (const location of source.locations) {
          const { key, n } = await held(location);
          held_.set(key, n);
        }
        // A source with one folder or manifest of its own reads exactly what it holds.
        const [only, ...more] = source.locations;
        const readers = result.pipeline.sources.filter((o) => o.locations.some((l) => keyOf(l) === keyOf(only!)));
        if (more.length === 0 && readers.length === 1) {
          expect(ledger.find((s) => s.source === source.name)?.read, `${declared.name}: ${source.name}`).toBe((await held(only!)).n);
        }
      }
      const total = [...held_.values()].reduce((a, b) => a + b, 0);
      expect(ledger.reduce((n, s) => n + s.read, 0), declared.name).toBe(total);
      expect(ledger.map((s) => s.source).sort(), declared.name).toEqual(result.pipeline.sources.map((s) => s.name).sort());
      addsUp(ledger);
    }
  });
});
