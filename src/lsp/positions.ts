/**
 * Offsets (the front end's spans: UTF-16 code units, like JavaScript strings) to the protocol's
 * line/character positions (also UTF-16 by default) and back.
 */
import type { Position, Range } from 'vscode-languageserver';

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** Positions of one text; build once per text and ask many times. */
export class Positions {
  private readonly starts: number[];

  constructor(private readonly text: string) {
    this.starts = lineStarts(text);
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - (this.starts[lo] ?? 0) };
  }

  offset(position: Position): number {
    const start = this.starts[position.line];
    if (start === undefined) return this.text.length;
    const next = this.starts[position.line + 1];
    const end = next === undefined ? this.text.length : next - 1;
    return Math.min(start + position.character, end);
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

export function rangeOf(text: string, start: number, end: number): Range {
  return new Positions(text).range(start, end);
}
