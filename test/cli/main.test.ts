import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIo } from './capture-io.ts';

describe('cvr main', () => {
  it('lists commands on --help and exits 0', async () => {
    const io = captureIo({ cwd: process.cwd() });
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/commands:[\s\S]*check[\s\S]*synth/);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const io = captureIo({ cwd: process.cwd() });
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
  });
});
