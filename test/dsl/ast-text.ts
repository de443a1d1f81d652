/**
 * Prints an AST as compact indented text for golden tests: one node a line, `kind` first, leaf
 * values inline (`name`, "string", 20%, /regex/), each node's start as `@line:col`.
 */
import type { Span } from '../../src/diag/span.ts';

type Node = { readonly kind: string; readonly span?: Span } & Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

function at(span: Span | undefined): string {
  return span === undefined ? '' : ` @${span.line}:${span.column}`;
}

/** A leaf as it would be written: identifiers bare, strings quoted, numbers raw. */
function leaf(node: Node): string | undefined {
  switch (node.kind) {
    case 'ident': return String(node['name']);
    case 'string': return JSON.stringify(node['value']);
    case 'number': return `${String(node['raw'])}(${String(node['value'])} ${String(node['unit'])})`;
    case 'regex': return `/${String(node['pattern'])}/${node['flags'] === undefined ? '' : String(node['flags'])}`;
    default: return undefined;
  }
}

export function astText(root: unknown, withSpans = true): string {
  const lines: string[] = [];
  const show = (value: unknown): string | undefined => {
    if (isNode(value)) {
      const l = leaf(value);
      return l === undefined ? undefined : l + (withSpans ? at(value.span) : '');
    }
    if (Array.isArray(value) && value.every((v) => isNode(v) && leaf(v) !== undefined)) {
      return `[${value.map((v) => show(v)).join(', ')}]`;
    }
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    if (typeof value === 'string') return JSON.stringify(value);
    return undefined;
  };
  const walk = (node: Node, indent: string, label: string): void => {
    const inline: string[] = [];
    const nested: [string, unknown][] = [];
    for (const [key, value] of Object.entries(node)) {
      if (key === 'kind' || key === 'span' || value === undefined) continue;
      if (key === 'path' && node.kind === 'file') continue;
      const shown = show(value);
      if (shown !== undefined) inline.push(`${key}=${shown}`);
      else nested.push([key, value]);
    }
    lines.push(`${indent}${label}${node.kind}${withSpans ? at(node.span) : ''}${inline.length > 0 ? ' ' + inline.join(' ') : ''}`);
    for (const [key, value] of nested) {
      if (Array.isArray(value)) {
        if (value.length === 0) continue;
        for (const item of value) if (isNode(item)) walk(item, indent + '  ', `${key}: `);
      } else if (isNode(value)) walk(value, indent + '  ', `${key}: `);
      else if (typeof value === 'object' && value !== null) walk({ kind: '{}', ...value } as Node, indent + '  ', `${key}: `);
    }
  };
  if (isNode(root)) walk(root, '', '');
  return lines.join('\n') + '\n';
}
