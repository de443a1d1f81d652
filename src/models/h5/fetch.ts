/**
 * `cvr weights fetch`: downloads the Keras applications' ImageNet weight files into the weights
 * folder, resuming a broken transfer (HTTP Range into `<file>.part`) and checking each file against
 * the hash Keras publishes with it. A file whose hash differs is refused: it is deleted, never
 * renamed into place.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, openSync, closeSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Diagnostic } from '../../diag/index.ts';
import { downloadUrl, type KerasWeightsFile } from './keras-applications.ts';

export interface FetchOptions {
  readonly dir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Tries per file; each one after a dropped connection resumes where the last stopped. Default 4. */
  readonly attempts?: number;
  readonly onProgress?: (file: string, bytes: number, total: number | undefined) => void;
  readonly signal?: AbortSignal;
}

export type FetchOutcome =
  | { readonly ok: true; readonly file: string; readonly path: string; readonly status: 'present' | 'downloaded'; readonly bytes: number; readonly resumedAt: readonly number[] }
  | { readonly ok: false; readonly file: string; readonly diagnostics: readonly Diagnostic[] };

export async function fetchWeightsFile(f: KerasWeightsFile, options: FetchOptions): Promise<FetchOutcome> {
  mkdirSync(options.dir, { recursive: true });
  const path = join(options.dir, f.file);
  const part = `${path}.part`;
  if (existsSync(path)) {
    const present = await hashFile(path, f.hash.algorithm);
    if (present === f.hash.hex) return { ok: true, file: f.file, path, status: 'present', bytes: statSync(path).size, resumedAt: [] };
    // A damaged or foreign file where ours belongs: download it again.
    rmSync(path, { force: true });
  }
  const url = downloadUrl(f, options.env);
  const resumedAt: number[] = [];
  const attempts = options.attempts ?? 4;
  let lastError = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    // A short pause before each retry: a server that just dropped us may need a moment.
    if (attempt > 0) await new Promise((ok) => setTimeout(ok, 200 * attempt));
    const have = existsSync(part) ? statSync(part).size : 0;
    if (attempt > 0 || have > 0) resumedAt.push(have);
    const step = await transfer(url, part, have, f.file, options);
    if (step.kind === 'fatal') return failure(f, path, url, step.message);
    if (step.kind === 'dropped') {
      lastError = step.message;
      continue;
    }
    const got = await hashFile(part, f.hash.algorithm);
    if (got !== f.hash.hex) {
      const bytes = statSync(part).size;
      rmSync(part, { force: true });
      return {
        ok: false,
        file: f.file,
        diagnostics: [
          {
            code: 'CVR723',
            severity: 'error',
            message: `refused ${f.file} from ${url}: its ${f.hash.algorithm} is ${got}, Keras publishes ${f.hash.hex} (${bytes} bytes received); nothing was kept`,
            file: path,
            hint: 'the file was damaged or altered in transit, or CVR_WEIGHTS_URL points at a mirror with other files: run `cvr weights fetch` again, or unset CVR_WEIGHTS_URL',
          },
        ],
      };
    }
    renameSync(part, path);
    return { ok: true, file: f.file, path, status: 'downloaded', bytes: statSync(path).size, resumedAt };
  }
  const kept = existsSync(part) ? statSync(part).size : 0;
  if (kept === 0) rmSync(part, { force: true });
  const after = kept > 0 ? `; ${kept} bytes are kept in ${part} and the next \`cvr weights fetch\` resumes from there` : '';
  return failure(f, path, url, `${attempts} tries failed (last: ${lastError})${after}`);
}

type Step = { kind: 'complete' } | { kind: 'dropped'; message: string } | { kind: 'fatal'; message: string };

/** One HTTP request: appends to `part` from byte `have` (Range), or starts over when the server ignores the range. */
async function transfer(url: string, part: string, have: number, name: string, options: FetchOptions): Promise<Step> {
  let response: Response;
  try {
    response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, ...(options.signal && { signal: options.signal }) });
  } catch (error) {
    return { kind: 'dropped', message: describe(error) };
  }
  if (response.status === 416 && have > 0) {
    // The part file is already whole (or longer than the file): let the hash decide.
    await response.body?.cancel();
    return { kind: 'complete' };
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    return { kind: 'fatal', message: `HTTP ${response.status} ${response.statusText}` };
  }
  const append = response.status === 206 && have > 0;
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length + (append ? have : 0) : undefined;
  const fd = openSync(part, append ? 'a' : 'w');
  let bytes = append ? have : 0;
  try {
    if (response.body === null) return { kind: 'fatal', message: 'the server sent no body' };
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      writeSync(fd, chunk);
      bytes += chunk.byteLength;
      options.onProgress?.(name, bytes, total);
    }
  } catch (error) {
    return { kind: 'dropped', message: describe(error) };
  } finally {
    closeSync(fd);
  }
  if (total !== undefined && bytes < total) return { kind: 'dropped', message: `the body ended after ${bytes} of ${total} bytes` };
  return { kind: 'complete' };
}

export async function hashFile(path: string, algorithm: 'md5' | 'sha256'): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function failure(f: KerasWeightsFile, path: string, url: string, why: string): FetchOutcome {
  return {
    ok: false,
    file: f.file,
    diagnostics: [
      {
        code: 'CVR722',
        severity: 'error',
        message: `cannot download ${f.file} from ${url}: ${why}`,
        file: path,
        hint: `check the network (or set CVR_WEIGHTS_URL to a mirror); offline, copy the file by hand to ${path} and run \`cvr weights fetch\` again: it checks the file's ${f.hash.algorithm} (${f.hash.hex}) and downloads nothing when it matches`,
      },
    ],
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
