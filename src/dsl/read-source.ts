/**
 * Reading a `.cvr` file the way a tool that may be pointed at untrusted input must: what is not
 * a plain, reasonably small text file is refused before a byte of it is read or shown.
 * - not a regular file (a FIFO would block forever, a device never ends): CVR130;
 * - inside /proc, /sys or /dev, whose "regular" files are kernel views (`/proc/self/environ`
 *   holds the environment, secrets included): CVR131;
 * - larger than `MAX_SOURCE_BYTES` (1 MiB): CVR132 (a .cvr file is a few kilobytes);
 * - not UTF-8 text, or holding control characters: CVR133, with at most a short escaped excerpt.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Code } from '../diag/index.ts';

/**
 * 1 MiB: the shipped pipelines are a few kilobytes each; a megabyte of .cvr checks in about a
 * second, so no file that is read can make `check` take long.
 */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** Why a file was not read; `detail` never holds more than a short escaped excerpt of it. */
export interface ReadRefusal {
  readonly refused: true;
  readonly code: Code;
  readonly detail: string;
  readonly hint: string;
}

export type SourceRead = { readonly refused: false; readonly text: string } | ReadRefusal | undefined;

const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

/** Printable, at most `max` characters: control and invisible characters as `\xNN` / `\uNNNN`. */
export function escapedExcerpt(text: string, max = 24): string {
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n >= max) return `${out}…`;
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0xfffd || (code >= 0x2028 && code <= 0x202f) || code === 0xfeff) {
      out += code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += ch;
    }
    n++;
  }
  return out;
}

function refuse(code: Code, detail: string, hint: string): ReadRefusal {
  return { refused: true, code, detail, hint };
}

/** The text, a refusal, or undefined when the file cannot be opened at all (missing, unreadable). */
export async function readCvrSource(file: string, maxBytes = MAX_SOURCE_BYTES): Promise<SourceRead> {
  const pseudo = (path: string): boolean => PSEUDO_ROOTS.some((root) => path === root || path.startsWith(`${root}/`));
  if (pseudo(resolve(file))) {
    return refuse('CVR131', `it is a kernel pseudo-file (${resolve(file)})`, 'only ordinary .cvr files are read; an import of /proc, /sys or /dev is refused so it cannot leak the machine\'s state into logs');
  }
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    return undefined;
  }
  if (PSEUDO_ROOTS.some((root) => real === root || real.startsWith(`${root}/`))) {
    return refuse('CVR131', `it is a kernel pseudo-file (${real})`, 'only ordinary .cvr files are read; an import of /proc, /sys or /dev is refused so it cannot leak the machine\'s state into logs');
  }
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; we refuse it right after.
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO (named pipe)' : st.isDirectory() ? 'a folder' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
      return refuse('CVR130', `it is ${kind}`, 'name an ordinary .cvr file');
    }
    if (st.size > maxBytes) {
      return refuse('CVR132', `it is ${st.size} bytes, over the limit of ${maxBytes} for a .cvr file`, 'a .cvr file is a few kilobytes; check that this is the file you meant');
    }
    // Read at most one byte past the limit: a file that grows while read is still bounded.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(st.size, 0) + 1));
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length >= buffer.length) break;
    }
    if (length > maxBytes) return refuse('CVR132', `it is over the limit of ${maxBytes} bytes for a .cvr file`, 'a .cvr file is a few kilobytes; check that this is the file you meant');
    const bytes = buffer.subarray(0, length);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return refuse('CVR133', 'it is not UTF-8 text (a binary file?)', 'name a .cvr text file');
    }
    // Control characters other than tab, newline, carriage return and form feed: not .cvr text.
    const bad = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.exec(text);
    if (bad !== null) {
      const at = bad.index;
      return refuse('CVR133', `it holds a control character at offset ${at} (near \`${escapedExcerpt(text.slice(Math.max(0, at - 8), at + 8), 16)}\`): not .cvr text`, 'name a .cvr text file');
    }
    return { refused: false, text };
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
