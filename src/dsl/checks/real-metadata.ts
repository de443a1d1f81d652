/**
 * Checks of the real-metadata forms (language.md "Real metadata"): every regex runs in linear
 * time (RE2) or is refused with the reason; templates are well formed; with a headerless
 * `columns …` list, `where` and templates name only its columns; encodings are known.
 */
import type { Span } from '../../diag/index.ts';
import type { AliasBlock, LabelMap, ManifestFields, RegexLit, WhereExpr } from '../ast.ts';
import { suggestion } from '../../diag/index.ts';
import type { EffectivePipeline } from '../effective.ts';
import { isTemplate, parseTemplate, templateColumns } from '../image-template.ts';
import { compileLinear } from '../linear-regex.ts';
import type { Accept } from '../report.ts';
import { ENCODINGS } from '../vocabulary.ts';

function checkRegex(regex: RegexLit | undefined, accept: Accept): void {
  if (regex === undefined) return;
  const compiled = compileLinear(regex.pattern, regex.flags ?? '');
  if ('error' in compiled) {
    accept('CVR112', regex.span, `this regular expression cannot run in linear time: ${compiled.error}`, {
      hint: 'cvr runs every pattern with RE2 semantics: no backreferences (\\1) or lookaround ((?=…), (?<=…)); flags are i, s, m',
    });
  }
}

function whereLeaves(e: WhereExpr): Extract<WhereExpr, { column: unknown }>[] {
  switch (e.kind) {
    case 'where-or':
    case 'where-and':
      return e.terms.flatMap(whereLeaves);
    case 'where-not':
      return whereLeaves(e.term);
    default:
      return [e];
  }
}

function checkMapRegexes(map: LabelMap | undefined, accept: Accept): void {
  for (const e of map?.entries ?? []) if (e.key.kind === 'regex') checkRegex(e.key, accept);
}

function checkFields(fields: ManifestFields, owner: string, accept: Accept): void {
  const positional = fields.columns?.map((c) => c.name);
  if (fields.encoding !== undefined && !(ENCODINGS as readonly string[]).includes(fields.encoding.name === 'utf-8' ? 'utf8' : fields.encoding.name)) {
    accept('CVR405', fields.encoding.span, `unknown encoding "${fields.encoding.name}"`, { hint: suggestion(fields.encoding.name, ENCODINGS) ?? 'write `encoding utf8` or `encoding latin1`' });
  }
  if (fields.where !== undefined) {
    for (const leaf of whereLeaves(fields.where)) {
      if (leaf.kind === 'where-matches') checkRegex(leaf.regex, accept);
      if (positional !== undefined && !positional.includes(leaf.column.name)) {
        accept('CVR420', leaf.column.span, `\`where\` names column "${leaf.column.name}", but ${owner} has the columns ${positional.join(', ')}`, { hint: suggestion(leaf.column.name, positional) });
      }
    }
  }
  const image = fields.image;
  if (image !== undefined && isTemplate(image.value)) {
    const parsed = parseTemplate(image.value);
    if ('error' in parsed) accept('CVR114', image.span, `image template ${JSON.stringify(image.value)}: ${parsed.error}`, { hint: 'write `{column}` for a value of the row, `{{` for a brace, and `.*` only at the end' });
    else if (positional !== undefined) {
      for (const column of templateColumns(parsed.template)) {
        if (!positional.includes(column)) accept('CVR421', image.span, `image template names column "${column}", but ${owner} has the columns ${positional.join(', ')}`, { hint: suggestion(column, positional) });
      }
    }
  }
}

function checkAlias(alias: AliasBlock | undefined, accept: Accept): void {
  const seen = new Map<string, Span>();
  for (const e of alias?.entries ?? []) {
    const earlier = seen.get(e.from.value);
    if (earlier !== undefined) accept('CVR422', e.from.span, `the spelling ${JSON.stringify(e.from.value)} is aliased twice`, { related: [{ message: 'first here', span: earlier }] });
    else seen.set(e.from.value, e.from.span);
  }
}

export function checkRealMetadataForms(p: EffectivePipeline, accept: Accept): void {
  for (const { def } of p.sources) {
    checkRegex(def.labelsFromPath, accept);
    checkRegex(def.patientsFromPath, accept);
    checkMapRegexes(def.map, accept);
    if (def.location?.kind === 'manifest') checkFields(def.location.fields, `the manifest of source "${def.name.name}"`, accept);
  }
  for (const m of p.manifests) {
    checkMapRegexes(m.map, accept);
    checkFields(m.fields, `sources from manifest "${m.path.value}"`, accept);
    checkAlias(m.alias, accept);
  }
}
