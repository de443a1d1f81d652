/** Every function of src/ with its length in lines, read with the TypeScript compiler API. */
import ts from 'typescript';
import { readFileSync } from 'node:fs';

export interface FunctionLength {
  readonly file: string;
  readonly name: string;
  /** 1-based first line. */
  readonly line: number;
  /** Lines from the first to the last line of the function, both included. */
  readonly lines: number;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)) && node.name !== undefined) {
    return node.name.getText(sf);
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(sf);
  return '(anonymous)';
}

export function functionLengths(file: string, text = readFileSync(file, 'utf8')): FunctionLength[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node, sf), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}
