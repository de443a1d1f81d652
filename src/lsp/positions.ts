/**
 * Offsets (the front end's spans: UTF-16 code units, like JavaScript strings) to the protocol's
 * line/character positions (also UTF-16 by default) and back.
 */
import type { Position, Range } from 'vscode-languageserver';
import { LineIndex } from '../diag/index.ts';

/**
 * Positions of one text; build once per text and ask many times. The line index is diag's (the
 * one the diagnostics printer uses); the protocol counts lines and characters from 0.
 */
export class Positions {
  private readonly index: LineIndex;

  constructor(private readonly text: string) {
    this.index = new LineIndex(text);
  }

  position(offset: number): Position {
    const { line, column } = this.index.position(offset);
    return { line: line - 1, character: column - 1 };
  }

  offset(position: Position): number {
    const start = this.index.lineStart(position.line + 1);
    if (start === undefined) return this.text.length;
    return Math.min(start + position.character, start + this.index.lineLength(position.line + 1));
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

export function rangeOf(text: string, start: number, end: number): Range {
  return new Positions(text).range(start, end);
}
