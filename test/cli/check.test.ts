/** `cvr check`: whole output, JSON, exit codes; no input makes it crash. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from './capture-io.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = path.join(root, 'test/dsl/check-fixtures');

async function check(args: string[], cwd = root, isTty = false) {
  const io = captureIo({ cwd, isTty });
  const code = await main(['check', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('cvr check', () => {
  it('prints each error with its source line and caret, and exits 1', async () => {
    const r = await check(['unknown-class.cvr'], fixtures);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`error[CVR301] unknown-class.cvr:7:15 unknown class "CVD" in the task
7 |   task NOR vs CVD
  |               ^~~
hint: did you mean "CVP"?

1 error, 0 warnings
`);
  });

  it('exits 0 on a clean file and says so', async () => {
    const r = await check(['pipelines/cxr.cvr', 'pipelines/ct.cvr']);
    expect(r).toEqual({ code: 0, out: '2 files checked, 9 pipelines: no problems\n', err: '' });
  });

  it('exits 0 with warnings only, printing them', async () => {
    const r = await check(['validation-test.cvr'], fixtures);
    expect(r.code).toBe(0);
    expect(r.out).toContain('warning[CVR407] validation-test.cvr:7:19');
    expect(r.out).toContain('0 errors, 1 warning');
  });

  it('--format json gives the diagnostics with cli.md keys', async () => {
    const r = await check(['--format', 'json', 'task-overlap.cvr', 'no-seed.cvr'], fixtures);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { diagnostics: Record<string, unknown>[] };
    expect(json.diagnostics.map((d) => [d['code'], d['severity'], d['file'], d['line'], d['column']])).toEqual([
      ['CVR418', 'warning', 'no-seed.cvr', 2, 10],
      ['CVR310', 'error', 'task-overlap.cvr', 7, 15],
    ]);
    for (const d of json.diagnostics) expect(typeof d['message']).toBe('string');
    expect(r.out).not.toContain('\u001b[');
  });

  it('--format json on clean files prints an empty list', async () => {
    const r = await check(['--format=json', 'pipelines/common.cvr']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ diagnostics: [] });
  });

  it('colours on a TTY only', async () => {
    expect((await check(['unknown-class.cvr'], fixtures, true)).out).toContain('\u001b[');
  });

  it.each([[[]], [['--format', 'xml', 'a.cvr']], [['--format']], [['--frobnicate', 'a.cvr']]])('exits 2 on bad usage: %j', async (args) => {
    const r = await check(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain('usage: cvr check');
  });

  it('exits 1 with CVR201 for a file that does not exist', async () => {
    const r = await check(['no/such/file.cvr']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error[CVR201] no/such/file.cvr cannot read this file\nhint: check the path');
  });

  it('never crashes or prints a stack trace on any fixture', async () => {
    const entries = readdirSync(fixtures).map((n) => (statSync(path.join(fixtures, n)).isDirectory() ? path.join(n, 'main.cvr') : n));
    for (const entry of entries) {
      for (const format of ['human', 'json']) {
        const r = await check(['--format', format, entry], fixtures);
        expect([0, 1], entry).toContain(r.code);
        expect(r.out + r.err, entry).not.toMatch(/\n\s+at |internal error/);
      }
    }
  });
});
