/** `cvr weights fetch` against an HTTP server this test starts on 127.0.0.1 (no outside network). */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWeightsFile } from '../../src/models/h5/fetch.ts';
import { KERAS_WEIGHTS, type KerasWeightsFile } from '../../src/models/h5/keras-applications.ts';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';

const root = mkdtempSync(join(tmpdir(), 'cvr-fetch-'));
/** 300 kB of seeded bytes (a linear congruential sequence), the file the server publishes. */
const body = Buffer.from(Uint8Array.from({ length: 300_000 }, (_, i) => (i * 1103515245 + 12345) >>> 16));
const md5 = createHash('md5').update(body).digest('hex');

type Mode = 'normal' | 'drop-once' | 'drop-always' | 'tampered' | 'missing' | 'no-range';
let mode: Mode = 'normal';
let drops = 0;
const requests: { path: string; range: string | undefined }[] = [];
let server: Server;
let base = '';

function handle(req: IncomingMessage, res: ServerResponse): void {
  const range = req.headers.range;
  requests.push({ path: req.url ?? '', range });
  if (mode === 'missing') {
    res.writeHead(404).end('not found');
    return;
  }
  const content = mode === 'tampered' ? Buffer.concat([body.subarray(0, 1000), Buffer.from('tampered'), body.subarray(1008)]) : body;
  const m = range !== undefined && mode !== 'no-range' ? /^bytes=(\d+)-$/.exec(range) : null;
  const start = m === null ? 0 : Number(m[1]);
  const slice = content.subarray(start);
  res.writeHead(m === null ? 200 : 206, { 'content-length': String(slice.length), ...(m !== null && { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` }) });
  const dropNow = mode === 'drop-always' || (mode === 'drop-once' && drops === 0);
  if (dropNow) {
    drops++;
    // Half of what is left, then the connection dies mid-body.
    res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => res.destroy());
    return;
  }
  res.end(slice);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  rmSync(root, { recursive: true, force: true });
});

const published: KerasWeightsFile = { application: 'Test', file: 'test_notop.h5', url: 'https://example.invalid/test_notop.h5', hash: { algorithm: 'md5', hex: md5 } };
let n = 0;
const fresh = (): string => join(root, `dir${n++}`);
const reset = (m: Mode): void => {
  mode = m;
  drops = 0;
  requests.length = 0;
};

describe('fetchWeightsFile', () => {
  it('downloads from CVR_WEIGHTS_URL, checks the md5, and finds the file there next time', async () => {
    reset('normal');
    const dir = fresh();
    const r = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base } });
    expect(r.ok && r.status).toBe('downloaded');
    expect(requests).toEqual([{ path: '/mirror/test_notop.h5', range: undefined }]);
    expect(readFileSync(join(dir, 'test_notop.h5')).equals(body)).toBe(true);
    const again = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base } });
    expect(again.ok && again.status).toBe('present');
    expect(requests.length).toBe(1);
  });

  it('resumes a transfer the server dropped mid-body with an HTTP Range request', async () => {
    reset('drop-once');
    const dir = fresh();
    const r = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base } });
    expect(r.ok ? [] : r.diagnostics).toEqual([]);
    expect(requests.map((q) => q.range)).toEqual([undefined, `bytes=${body.length / 2}-`]);
    expect(r.ok && r.resumedAt).toEqual([body.length / 2]);
    expect(readFileSync(join(dir, 'test_notop.h5')).equals(body)).toBe(true);
    expect(existsSync(join(dir, 'test_notop.h5.part'))).toBe(false);
  });

  it('keeps the part file when the connection keeps breaking (CVR722), and the next fetch resumes it', async () => {
    reset('drop-always');
    const dir = fresh();
    const r = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base }, attempts: 2 });
    expect(!r.ok && r.diagnostics[0]?.code).toBe('CVR722');
    const kept = statSync(join(dir, 'test_notop.h5.part')).size;
    // Half, then half of the rest.
    expect(kept).toBe(body.length / 2 + body.length / 4);
    reset('normal');
    const resumed = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base } });
    expect(resumed.ok && resumed.resumedAt).toEqual([kept]);
    expect(requests.map((q) => q.range)).toEqual([`bytes=${kept}-`]);
    expect(readFileSync(join(dir, 'test_notop.h5')).equals(body)).toBe(true);
  });

  it('starts over when the server ignores the range', async () => {
    reset('no-range');
    const dir = fresh();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'test_notop.h5.part'), body.subarray(0, 5000));
    const r = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base } });
    expect(r.ok && r.status).toBe('downloaded');
    expect(readFileSync(join(dir, 'test_notop.h5')).equals(body)).toBe(true);
  });

  it('refuses a file whose md5 differs from the published one (CVR723), keeping nothing', async () => {
    reset('tampered');
    const dir = fresh();
    const r = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base } });
    const d = r.ok ? undefined : r.diagnostics[0];
    expect(d?.code).toBe('CVR723');
    expect(d?.message).toContain(`Keras publishes ${md5}`);
    expect(d?.message).toContain(createHash('md5').update(Buffer.concat([body.subarray(0, 1000), Buffer.from('tampered'), body.subarray(1008)])).digest('hex'));
    expect(existsSync(join(dir, 'test_notop.h5'))).toBe(false);
    expect(existsSync(join(dir, 'test_notop.h5.part'))).toBe(false);
  });

  it('reports an HTTP error and an unreachable server with the exact file to copy by hand (CVR722)', async () => {
    reset('missing');
    const dir = fresh();
    const r = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: base } });
    expect(!r.ok && r.diagnostics[0]?.message).toMatch(/HTTP 404/);
    const closed = await fetchWeightsFile(published, { dir, env: { CVR_WEIGHTS_URL: 'http://127.0.0.1:9' }, attempts: 1 });
    const d = closed.ok ? undefined : closed.diagnostics[0];
    expect(d?.code).toBe('CVR722');
    expect(d?.hint).toContain(join(dir, 'test_notop.h5'));
  });
});

describe('cvr weights fetch', () => {
  const io = (env: Record<string, string>): CliIo & { out: string; err: string } => {
    const o = { out: '', err: '', stdout: (t: string) => void (o.out += t), stderr: (t: string) => void (o.err += t), isTty: false, cwd: root, env };
    return o;
  };

  it('checks the hash Keras publishes for the real file names: a mirror serving other bytes is refused', async () => {
    reset('normal');
    const dir = fresh();
    const c = io({ CVR_WEIGHTS_URL: base, CVR_WEIGHTS_DIR: dir });
    const code = await main(['weights', 'fetch', 'cvrnet'], c);
    expect(code).toBe(1);
    // Both branch files were asked for by their Keras names, and both refused.
    expect(requests.map((q) => q.path)).toEqual([`/mirror/${KERAS_WEIGHTS['resnet50']?.file}`, `/mirror/${KERAS_WEIGHTS['xception']?.file}`]);
    expect(c.err.match(/CVR723/g)?.length).toBe(2);
    expect(c.err).toContain('4d473c1dd8becc155b73f8504c6f6626');
    expect(existsSync(join(dir, KERAS_WEIGHTS['resnet50']?.file as string))).toBe(false);
  });

  it('names the models it knows when asked for another (usage error)', async () => {
    const dir = fresh();
    const c = io({ CVR_WEIGHTS_URL: base, CVR_WEIGHTS_DIR: dir });
    expect(await main(['weights', 'fetch', 'nosuchmodel'], c)).toBe(2);
    expect(c.err).toContain('no ImageNet weights for "nosuchmodel"');
    expect(c.err).toContain('models are resnet50, xception, vgg19');
  });
});
