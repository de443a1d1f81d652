/**
 * The `gradcam` node of `cvr run`: after training, overlays of the first fold's most confident
 * correct test images of the named class land in the run folder, one per explained layer. The
 * tiny data set separates its classes by brightness, so three epochs get CVP images right.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { tempDir } from './helpers.ts';
import { writeTinyData, writeTinyPipeline } from './fixtures/tiny-data.ts';

const CVR = fileURLToPath(new URL('../../bin/cvr.mjs', import.meta.url));

let dir = '';
let dispose = (): void => undefined;
beforeAll(async () => {
  ({ dir, dispose } = tempDir('gradcam'));
  await writeTinyData(dir, 8);
});
afterAll(() => dispose());

function cvr(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CVR, ...args], { cwd: dir, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('cvr run: the gradcam node', () => {
  it('writes PNG overlays of the top CVP test images into the run folder', { timeout: 600_000 }, async () => {
    const file = writeTinyPipeline(dir, 'metrics accuracy  gradcam CVP top 2 threshold 0.5');
    const result = await cvr(['run', file, '--cache', 'cache', '--out', 'run']);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/^done +gradcam:resnet50/m);
    const camDir = join(dir, 'run', 'gradcam', 'resnet50');
    expect(existsSync(camDir), result.output).toBe(true);
    const targets = readdirSync(camDir);
    expect(targets.length).toBeGreaterThan(0);
    const files = readdirSync(join(camDir, targets[0] ?? ''));
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(files.length).toBeLessThanOrEqual(2);
    expect(files.every((f) => /^0[12]-b_.*\.png$/.test(f)), files.join(', ')).toBe(true);
    const meta = await sharp(join(camDir, targets[0] ?? '', files[0] ?? '')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([32, 32, 3]);
  });
});
