/**
 * The contract between a node handler and the executor: a handler returns a `NodeResult`, a
 * value that says whether the node succeeded and carries its diagnostics, instead of throwing
 * pre-rendered text. A success holds the JSON output and the shared cache files the output
 * points at (so the cache records and verifies them); a failure holds the stage's diagnostics.
 *
 * Handlers written before this contract return a bare output or throw `NodeFailure`; the
 * executor accepts both (`toNodeResult`), so handlers can move over one by one.
 */
import type { Diagnostic } from '../diag/index.ts';
import { makeDiagnostic } from '../dsl/index.ts';

const TAG: unique symbol = Symbol('cvr.node-result');

export type NodeResult<T = unknown> =
  | {
      readonly [TAG]: true;
      readonly ok: true;
      readonly output: T;
      /** Files under the cache root, outside the node's entry, that the output points at. */
      readonly references: readonly string[];
      /** Warnings and notes of the stage, kept with the result. */
      readonly diagnostics: readonly Diagnostic[];
    }
  | {
      readonly [TAG]: true;
      readonly ok: false;
      /** At least one error: why the node failed. */
      readonly diagnostics: readonly Diagnostic[];
    };

export function succeeded<T>(output: T, extra: { readonly references?: readonly string[]; readonly diagnostics?: readonly Diagnostic[] } = {}): NodeResult<T> {
  return { [TAG]: true, ok: true, output, references: extra.references ?? [], diagnostics: extra.diagnostics ?? [] };
}

/** A failed node; a diagnostic without an error is raised to one (CVR860) so the failure is never silent. */
export function failed(diagnostics: readonly Diagnostic[], what?: string): NodeResult<never> {
  const hasError = diagnostics.some((d) => d.severity === 'error');
  const head = what !== undefined || !hasError ? [makeDiagnostic('CVR860', undefined, what ?? 'the step failed')] : [];
  return { [TAG]: true, ok: false, diagnostics: [...head, ...diagnostics] };
}

export function isNodeResult(value: unknown): value is NodeResult {
  return typeof value === 'object' && value !== null && (value as { [TAG]?: unknown })[TAG] === true;
}

/** A handler's return value as a `NodeResult` (a bare output is a success without references). */
export function toNodeResult(value: unknown): NodeResult {
  return isNodeResult(value) ? value : succeeded(value);
}

/**
 * Thrown by a handler on a user-level problem (bad data); its diagnostics, else its message, are
 * shown as they are. Prefer returning `failed(…)`.
 */
export class NodeFailure extends Error {
  override readonly name = 'NodeFailure';
  readonly diagnostics: readonly Diagnostic[];

  constructor(message: string, diagnostics: readonly Diagnostic[] = []) {
    super(message);
    this.diagnostics = diagnostics.length > 0 ? diagnostics : [makeDiagnostic('CVR860', undefined, message)];
  }
}

/** One line per diagnostic, `error[CVR855] message (file)`, for event messages and logs. */
export function diagnosticLines(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const where = d.file !== undefined && d.span === undefined ? ` (${d.file})` : '';
      const hint = d.hint !== undefined ? `\n  hint: ${d.hint}` : '';
      return `${d.severity}[${d.code}] ${d.message}${where}${hint}`;
    })
    .join('\n');
}
