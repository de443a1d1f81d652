import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIo, listFiles, tempDir } from './helpers.ts';

describe('cvr synth (command line)', () => {
  it.each([
    [['--out', 'x'], '--preset is required'],
    [['--preset', 'huge', '--out', 'x'], '--preset takes "tiny" or "paper" or "shortcut", not "huge"'],
    [['--preset', 'tiny'], '--out DIR is required'],
    [['--preset', 'tiny', '--out', 'x', '--seed', '-3'], '--seed takes a whole number ≥ 0, not "-3"'],
    [['--preset', 'tiny', '--out', 'x', '--scale', 'lots'], '--scale takes a number, not "lots"'],
    [['--preset', 'tiny', '--out', 'x', '--size', '8'], '--size takes a whole number ≥ 16, not "8"'],
    [['--preset', 'tiny', '--out', 'x', '--bogus', '1'], 'unknown option "--bogus"'],
    [['--preset', 'tiny', '--out'], '--out needs a value'],
  ])('rejects %j with exit 2', async (args, message) => {
    const io = captureIo(await tempDir('cli-usage'));
    expect(await main(['synth', ...args], io)).toBe(2);
    expect(io.err.join('')).toContain(message);
    expect(io.err.join('')).toContain('usage: cvr synth');
  });

  it('writes the preset relative to the working directory and says what it wrote', async () => {
    const cwd = await tempDir('cli');
    const io = captureIo(cwd);
    expect(await main(['synth', '--preset', 'tiny', '--out', 'data/tiny', '--seed', '4', '--corrupt=2'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/wrote 48 images from 3 sources \(preset tiny, seed 4, scale 1\) to data\/tiny .*2 bad inputs planted/);
    expect(io.err).toEqual([]); // no progress bar when not on a terminal
    expect((await listFiles(join(cwd, 'data/tiny'))).filter((f) => f.endsWith('.png'))).toHaveLength(50);
  });

  it('draws a progress bar on stderr on a terminal', async () => {
    const cwd = await tempDir('cli-tty');
    const io = captureIo(cwd, true);
    expect(await main(['synth', '--preset', 'tiny', '--out', 'd'], io)).toBe(0);
    expect(io.err.join('')).toContain('48/48 images');
  });

  it('refuses a folder that holds other files, and rewrites its own without stale images', async () => {
    const cwd = await tempDir('cli-out');
    await mkdir(join(cwd, 'mine'));
    await writeFile(join(cwd, 'mine', 'thesis.tex'), 'precious');
    const io = captureIo(cwd);
    expect(await main(['synth', '--preset', 'tiny', '--out', 'mine'], io)).toBe(1);
    expect(io.err.join('')).toContain('not written by cvr synth');
    expect(await readFile(join(cwd, 'mine', 'thesis.tex'), 'utf8')).toBe('precious');

    await mkdir(join(cwd, 'odd'));
    await writeFile(join(cwd, 'odd', 'synth.json'), '{ not json');
    const odd = captureIo(cwd);
    expect(await main(['synth', '--preset', 'tiny', '--out', 'odd'], odd)).toBe(1);
    expect(odd.err.join('')).toContain('is not a cvr synth record');

    expect(await main(['synth', '--preset', 'shortcut', '--out', 'again', '--size', '16', '--scale', '0.1'], captureIo(cwd))).toBe(0);
    expect(await main(['synth', '--preset', 'tiny', '--out', 'again'], captureIo(cwd))).toBe(0);
    const files = await listFiles(join(cwd, 'again'));
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(48);
    expect(files.some((f) => f.startsWith('marked/'))).toBe(false);
  });
});
