import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.ts';
import { parseCommandLine } from '../../src/cli/args.ts';
import * as SPECS from '../../src/cli/specs.ts';
import { useColor } from '../../src/cli/io.ts';
import { expectGolden } from '../golden.ts';
import { captureIo } from './capture-io.ts';

const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd: process.cwd() });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('the one command-line layer', () => {
  it('prints the top-level help, and `cvr help CMD` equals `cvr CMD --help` for every command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expectGolden(join(GOLDEN, 'help.txt'), top.out);
    for (const spec of Object.values(SPECS)) {
      const viaHelp = await cli(['help', spec.name]);
      const viaFlag = await cli([spec.name, '--help']);
      expect(viaHelp.code, spec.name).toBe(0);
      expect(viaFlag.code, spec.name).toBe(0);
      expect(viaHelp.out, spec.name).toBe(viaFlag.out);
      expect(viaHelp.out, spec.name).toContain(`usage: cvr ${spec.name} `);
    }
    expectGolden(join(GOLDEN, 'help-run.txt'), (await cli(['help', 'run'])).out);
  });

  it.each([
    ['unknown-command', ['chek', 'x.cvr']],
    ['unknown-flag', ['run', 'x.cvr', '--engin', 'native']],
    ['bad-seed', ['audit', 'x.cvr', '--seed', '-3']],
    ['bad-format', ['check', '--format', 'jsn', 'x.cvr']],
    ['missing-value', ['plan', 'x.cvr', '--cache']],
    ['no-file', ['audit']],
  ])('usage error %s: exit 2 and a golden message', async (name, argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expectGolden(join(GOLDEN, `usage-${name}.txt`), r.err);
  });

  it('gives --seed, --format and --cache one meaning in every command that takes them', () => {
    for (const spec of Object.values(SPECS)) {
      const options = spec.options as Record<string, unknown>;
      if ('seed' in options && spec.name !== 'synth') {
        expect(parseCommandLine(spec, ['f', '--seed', '-3']).kind, spec.name).toBe('error');
        const ok = parseCommandLine(spec, ['f', '--seed', '7']);
        expect(ok.kind === 'ok' && (ok.values as Record<string, unknown>)['seed'], spec.name).toBe(7);
      }
      if ('format' in options) {
        const ok = parseCommandLine(spec, ['f', 'g', '--format', 'json'].slice(0, spec.positionals.min).concat(['--format', 'json']));
        expect(ok.kind === 'ok' && (ok.values as Record<string, unknown>)['format'], spec.name).toBe('json');
        expect(parseCommandLine(spec, ['--format', 'xml']).kind, spec.name).toBe('error');
      }
    }
  });

  it('accepts --name=value, -h, `--` and `-` as a positional', () => {
    const parsed = parseCommandLine(SPECS.AUDIT, ['--seed=3', '--', '--odd-name.cvr']);
    expect(parsed).toEqual({ kind: 'ok', values: { seed: 3 }, positional: ['--odd-name.cvr'] });
    expect(parseCommandLine(SPECS.FMT, ['-'])).toEqual({ kind: 'ok', values: {}, positional: ['-'] });
    expect(parseCommandLine(SPECS.FMT, ['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(SPECS.FMT, ['--write=yes', 'a'])).toEqual({ kind: 'error', message: '--write takes no value' });
  });

  it('prints the version from package.json for --version, -V and version', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };
    for (const flag of ['--version', '-V', 'version']) expect((await cli([flag])).out).toBe(`cvr ${version}\n`);
  });

  it('honours NO_COLOR and FORCE_COLOR', () => {
    expect(useColor(captureIo({ cwd: '.', isTty: true }))).toBe(true);
    expect(useColor(captureIo({ cwd: '.', env: { NO_COLOR: '1' }, isTty: true }))).toBe(false);
    expect(useColor(captureIo({ cwd: '.' }))).toBe(false);
    expect(useColor(captureIo({ cwd: '.', env: { FORCE_COLOR: '1' } }))).toBe(true);
    expect(useColor(captureIo({ cwd: '.', env: { FORCE_COLOR: '0' }, isTty: true }))).toBe(true);
    expect(useColor(captureIo({ cwd: '.', env: { NO_COLOR: '' }, isTty: true }))).toBe(true);
  });

  it.each(['bash', 'zsh', 'fish'])('writes a %s completion script that names every command and its options', async (shell) => {
    const r = await cli(['completion', shell]);
    expect(r.code).toBe(0);
    for (const spec of Object.values(SPECS)) {
      expect(r.out).toContain(spec.name);
      for (const option of Object.keys(spec.options)) expect(r.out, `${spec.name} --${option}`).toContain(option);
    }
    expect((await cli(['completion', 'tcsh'])).code).toBe(2);
  });
});
