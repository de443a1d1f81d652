/**
 * tfjs's cpu backend tells Node users to install tfjs-node on its first tensor; cvr's commands
 * and engine selection keep that notice off stderr (`cvr engines` explains the engines instead).
 */
import { describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectEngine } from '../../src/engine/index.ts';

const CVR = fileURLToPath(new URL('../../bin/cvr.mjs', import.meta.url));
const NOTICE = /looks like you are running TensorFlow\.js in Node\.js/;

describe('tfjs notices', () => {
  it('cvr models (which builds models on the cpu backend) prints its table and no tfjs notice', () => {
    const result = spawnSync(process.execPath, [CVR, 'models', '--size', '75', '--width', '0.0625'], { encoding: 'utf8', timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/resnet50/);
    expect(result.stderr).not.toMatch(NOTICE);
  });

  it('selecting the cpu engine keeps the notice off the console on the first tensor', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const selected = await selectEngine('cpu');
      expect(selected.ok && selected.info.backend).toBe('cpu');
      tf.tensor1d([1, 2, 3]).dispose();
      expect(warn.mock.calls.map((args) => args.join(' ')).filter((text) => NOTICE.test(text))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
