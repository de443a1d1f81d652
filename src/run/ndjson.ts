/**
 * An event sink that appends one JSON object per line. Writes are synchronous so that the file
 * is complete up to the last event even when the process is killed.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventSink } from './events.ts';

export interface FileSink {
  readonly sink: EventSink;
  close(): void;
}

export function ndjsonFileSink(path: string, options: { readonly append?: boolean } = {}): FileSink {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number | undefined = openSync(path, options.append === true ? 'a' : 'w');
  return {
    sink(event) {
      if (fd !== undefined) writeSync(fd, `${JSON.stringify(event)}\n`);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Sends each event to every sink, in order. */
export function fanOut(...sinks: readonly EventSink[]): EventSink {
  return (event) => {
    for (const sink of sinks) sink(event);
  };
}
