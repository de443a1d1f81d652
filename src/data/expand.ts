/**
 * `sources from manifest` without `only`: the sources it holds are known only from its source
 * column. Each distinct value becomes a source (merged with a same-named source declared
 * elsewhere: one more location, maps combined with the declared map winning), so later stages
 * see plain `ResolvedSource`s.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Diagnostic } from '../diag/index.ts';
import type { ResolvedLocation, ResolvedPipeline, ResolvedSource } from '../dsl/index.ts';
import { diagnostic } from '../diag/index.ts';
import { parseManifest } from './manifest.ts';

export async function expandSourceManifests(pipeline: ResolvedPipeline): Promise<{ pipeline: ResolvedPipeline; diagnostics: Diagnostic[] }> {
  const manifests = pipeline.sourceManifests ?? [];
  if (manifests.length === 0) return { pipeline, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const byName = new Map<string, { -readonly [K in keyof ResolvedSource]: ResolvedSource[K] }>(pipeline.sources.map((s) => [s.name, { ...s }]));
  for (const m of manifests) {
    let text: string;
    try {
      text = await readFile(m.file, 'utf8');
    } catch {
      diagnostics.push(diagnostic('CVR501', `manifest ${JSON.stringify(m.file)} does not exist or cannot be read`, { file: m.file, hint: 'check the path (relative to the .cvr file), or make the data first (see docs/data-layout.md)' }));
      continue;
    }
    const table = parseManifest(text, { fileName: basename(m.file), delimiter: m.columns.delimiter, positional: m.columns.positional });
    const column = table.columns.indexOf(m.sourceColumn);
    if (column < 0) {
      diagnostics.push(
        diagnostic('CVR502', `manifest ${JSON.stringify(m.file)} has no source column "${m.sourceColumn}"; its columns are ${table.columns.map((c) => JSON.stringify(c)).join(', ')}`, {
          file: m.file,
          data: { missing: [m.sourceColumn], columns: table.columns },
          hint: 'name the column that holds each row\'s source with `source "…"`, or `columns …` for a headerless file',
        }),
      );
      continue;
    }
    const names: string[] = [];
    const alias = m.alias ?? {};
    for (const row of table.rows) {
      const raw = row.fields[column]?.trim();
      const value = raw !== undefined && Object.hasOwn(alias, raw) ? alias[raw] : raw;
      if (value !== undefined && value !== '' && !names.includes(value)) names.push(value);
    }
    for (const name of names) {
      const location: ResolvedLocation = {
        kind: 'manifest',
        file: m.file,
        columns: m.columns,
        root: m.root,
        sourceColumn: m.sourceColumn,
        sourceValue: name,
        ...(m.partition === undefined ? {} : { partition: m.partition }),
        ...(m.alias === undefined ? {} : { alias: m.alias }),
      };
      const existing = byName.get(name);
      if (existing !== undefined) {
        existing.locations = [...existing.locations, location];
        existing.map = { ...m.map, ...existing.map };
        if (existing.patterns === undefined && m.patterns !== undefined) existing.patterns = m.patterns;
        if (existing.other === undefined && m.other !== undefined) existing.other = m.other;
      } else {
        byName.set(name, {
          name,
          locations: [location],
          map: { ...m.map },
          ...(m.patterns === undefined ? {} : { patterns: m.patterns }),
          ...(m.other === undefined ? {} : { other: m.other }),
          coarse: m.coarse,
        });
      }
    }
  }
  const { sourceManifests: _expanded, ...rest } = pipeline;
  return { pipeline: { ...rest, sources: [...byName.values()] }, diagnostics };
}
