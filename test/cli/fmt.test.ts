import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from './capture-io.ts';

const CANONICAL = `pipeline a {
  seed 1
  task NCV vs CVP
}
`;
const MESSY = `pipeline a {   seed 1
    task NCV vs CVP }
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cvr-fmt-'));
  writeFileSync(join(dir, 'canonical.cvr'), CANONICAL);
  writeFileSync(join(dir, 'messy.cvr'), MESSY);
  writeFileSync(join(dir, 'broken.cvr'), 'pipeline a {\n  seed x\n}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const io = (): ReturnType<typeof captureIo> => captureIo({ cwd: dir });

describe('cvr fmt', () => {
  it('prints the canonical form', async () => {
    const cli = io();
    expect(await main(['fmt', 'messy.cvr'], cli)).toBe(0);
    expect(cli.out()).toBe(CANONICAL);
    expect(readFileSync(join(dir, 'messy.cvr'), 'utf8')).toBe(MESSY);
  });

  it('--check lists the files not in canonical form and exits 1', async () => {
    const cli = io();
    expect(await main(['fmt', '--check', 'canonical.cvr', 'messy.cvr'], cli)).toBe(1);
    expect(cli.out()).toBe('messy.cvr\n');
    expect(cli.err()).toContain('1 file is not in canonical form');
  });

  it('--check exits 0 when every file is canonical', async () => {
    const cli = io();
    expect(await main(['fmt', '--check', 'canonical.cvr'], cli)).toBe(0);
    expect(cli.out()).toBe('');
  });

  it('--write rewrites only the files that change', async () => {
    const cli = io();
    expect(await main(['fmt', '--write', 'canonical.cvr', 'messy.cvr'], cli)).toBe(0);
    expect(cli.out()).toBe('formatted messy.cvr\n');
    expect(readFileSync(join(dir, 'messy.cvr'), 'utf8')).toBe(CANONICAL);
  });

  it('prints syntax errors with file:line:column and code, exits 1, and never rewrites a broken file', async () => {
    const cli = io();
    expect(await main(['fmt', '--write', 'broken.cvr'], cli)).toBe(1);
    expect(cli.err()).toContain('error[CVR105] broken.cvr:2:8 expected a number but found `x`\n2 |   seed x\n  |        ^\n');
    expect(readFileSync(join(dir, 'broken.cvr'), 'utf8')).toBe('pipeline a {\n  seed x\n}\n');
  });

  it('reports an unreadable file and exits 1', async () => {
    const cli = io();
    expect(await main(['fmt', 'missing.cvr'], cli)).toBe(1);
    expect(cli.err()).toContain('cannot read "missing.cvr"');
  });

  it.each([[[]], [['--bogus', 'a.cvr']], [['--write', '--check', 'a.cvr']]])('rejects bad usage %j with exit 2', async (args) => {
    const cli = io();
    expect(await main(['fmt', ...args], cli)).toBe(2);
    expect(cli.err()).toContain('usage: cvr fmt');
  });
});
