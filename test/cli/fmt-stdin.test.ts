/** `cvr fmt -`: standard input in, canonical form out (format-on-save in any editor). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureIo } from './capture-io.ts';
import { main } from '../../src/cli/main.ts';
import { formatCvr, parseCvr } from '../../src/dsl/index.ts';

const MESSY = `pipeline a {   seed 1   # the seed
    task NCV vs CVP }
`;
const BROKEN = 'pipeline a {\n  seed x\n}\n';
const ROOT = join(import.meta.dirname, '..', '..');

const io = (stdin: string | undefined): ReturnType<typeof captureIo> => captureIo({ cwd: ROOT, ...(stdin === undefined ? {} : { stdin }) });

describe('cvr fmt -', () => {
  it('prints the canonical form of standard input', async () => {
    const cli = io(MESSY);
    expect(await main(['fmt', '-'], cli)).toBe(0);
    // The formatter's own output for the same text: the command adds nothing and loses nothing.
    expect(cli.out()).toBe(formatCvr(parseCvr('x.cvr', MESSY).file));
    expect(cli.out()).toContain('# the seed');
    expect(cli.err()).toBe('');
  });

  it('exits 1 with the diagnostics on standard error and nothing on standard output when it does not parse', async () => {
    const cli = io(BROKEN);
    expect(await main(['fmt', '-'], cli)).toBe(1);
    expect(cli.out()).toBe('');
    expect(cli.err()).toMatch(/error\[CVR\d{3}\] <stdin>:2:8/);
  });

  it('--check - exits 1 when the input is not canonical and 0 when it is', async () => {
    expect(await main(['fmt', '--check', '-'], io(MESSY))).toBe(1);
    const canonical = formatCvr(parseCvr('x.cvr', MESSY).file);
    expect(await main(['fmt', '--check', '-'], io(canonical))).toBe(0);
  });

  it('refuses --write - and - beside files (usage, exit 2)', async () => {
    expect(await main(['fmt', '--write', '-'], io(MESSY))).toBe(2);
    expect(await main(['fmt', '-', 'pipelines/cxr.cvr'], io(MESSY))).toBe(2);
  });

  it('reads the real standard input of the command', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'cvr.mjs'), 'fmt', '-'], { input: MESSY, encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(formatCvr(parseCvr('x.cvr', MESSY).file));
  });
});
