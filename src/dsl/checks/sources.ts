/** Sources: complete definitions and manifest settings. */
import type { Span } from '../../diag/index.ts';
import type { Ident, ManifestFields } from '../ast.ts';
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import type { Accept } from '../report.ts';
import { DELIMITERS, PARTITIONS } from '../vocabulary.ts';
import { isTemplate } from '../image-template.ts';

function checkOneOf(ident: Ident | undefined, set: readonly string[], what: string, accept: Accept): void {
  if (ident === undefined || set.includes(ident.name)) return;
  accept('CVR405', ident.span, `unknown ${what} "${ident.name}"`, { hint: suggestion(ident.name, set) });
}

/** With a header, image and label columns must be named; positional lists must name them. */
function checkFields(fields: ManifestFields, at: { readonly span: Span }, owner: string, accept: Accept, needSource: boolean): void {
  checkOneOf(fields.delimiter, DELIMITERS, 'delimiter', accept);
  const positional = fields.columns?.map((c) => c.name);
  const required = needSource ? (['image', 'label', 'source'] as const) : (['image', 'label'] as const);
  for (const field of required) {
    const named = fields[field] !== undefined;
    if (field === 'image' && named && isTemplate(fields.image?.value ?? '')) continue; // a template over columns
    const inColumns = positional?.includes(fields[field]?.value ?? field) ?? false;
    if (positional === undefined ? !named : !inColumns) {
      accept('CVR412', at.span, `${owner} does not say which column holds the ${field}`, {
        hint: positional === undefined ? `add \`${field} "COLUMN"\`` : `name a \`${field}\` column in \`columns …\``,
      });
    }
  }
}

export function checkSourceDefinitions(p: EffectivePipeline, accept: Accept): void {
  for (const { def } of p.sources) {
    const owner = `source "${def.name.name}"`;
    if (def.location === undefined) {
      accept('CVR412', def.name.span, `${owner} has no location`, { hint: 'add `folder "dir"` or `manifest "file" { … }`' });
      continue;
    }
    if (def.location.kind === 'manifest') checkFields(def.location.fields, def.location, `manifest of ${owner}`, accept, false);
  }
  for (const m of p.manifests) {
    checkFields(m.fields, m, `sources from manifest "${m.path.value}"`, accept, true);
    checkOneOf(m.partition, PARTITIONS, 'partition', accept);
  }
}
