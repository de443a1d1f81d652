/**
 * Diagnostics as `cvr check` gives them: each open file is checked as `cvr check FILE` would
 * check it (the same front end, `loadPipelines`, reading open documents as typed), so codes,
 * messages and ranges are the same. A diagnostic lands in the file its span points into, which
 * may be an imported file; the results of all open files are merged per file.
 */
import path from 'node:path';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic } from '../diag/index.ts';
import { loadPipelines } from '../dsl/index.ts';
import { rangeOf } from './positions.ts';
import type { Workspace } from './workspace.ts';

export interface EntryCheck {
  /** Every file the check read: the entry and what it imports, transitively. */
  readonly files: ReadonlyMap<string, string>;
  /** The editor's version of each open document the check read. */
  readonly versions: ReadonlyMap<string, number>;
  readonly diagnostics: readonly Diagnostic[];
}

export async function checkEntry(workspace: Workspace, file: string): Promise<EntryCheck> {
  const versions = new Map<string, number>();
  const readFile = async (p: string): Promise<string | undefined> => {
    const version = workspace.version(p);
    if (version !== undefined) versions.set(p, version);
    return workspace.text(p);
  };
  const result = await loadPipelines([file], { cwd: path.dirname(file), readFile });
  return { files: result.files, versions, diagnostics: result.diagnostics };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** One front-end diagnostic in the protocol's terms; the hint follows the message on its own line. */
export function toLspDiagnostic(d: Diagnostic, texts: ReadonlyMap<string, string>, uriOf: (file: string) => string): LspDiagnostic {
  const file = d.span?.file ?? d.file ?? '';
  const range = d.span === undefined ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } : rangeOf(texts.get(file) ?? '', d.span.start, d.span.end);
  const related = (d.related ?? []).map((r) => ({ message: r.message, location: { uri: uriOf(r.span.file), range: rangeOf(texts.get(r.span.file) ?? '', r.span.start, r.span.end) } }));
  return {
    range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'cvr',
    message: d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`,
    ...(related.length > 0 ? { relatedInformation: related } : {}),
  };
}

/** The file a diagnostic belongs to. */
export function fileOf(d: Diagnostic): string | undefined {
  return d.span?.file ?? d.file;
}

/** Identical diagnostics reached through two entries (an imported file's problem) count once. */
export function diagnosticKey(d: Diagnostic): string {
  return `${d.code}|${fileOf(d) ?? ''}|${d.span?.start ?? ''}|${d.span?.end ?? ''}|${d.message}`;
}
