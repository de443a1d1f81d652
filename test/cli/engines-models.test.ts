import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { run as runEngines } from '../../src/cli/commands/engines.ts';
import type { ProbeHost } from '../../src/engine/index.ts';
import { captureIo } from './capture-io.ts';

/** A machine where npm dropped both tfjs-node packages (the usual offline outcome). */
const offline: ProbeHost = {
  platform: 'linux',
  arch: 'x64',
  packageDir: () => undefined,
  exists: () => false,
  listDir: () => [],
  readJson: () => ({}),
  load: async () => ({}),
  native: async () => ({ available: false, reason: 'the native addon is not built yet' }),
};

describe('cvr engines', () => {
  it('prints each engine with its reason, and what auto picks', async () => {
    const io = captureIo({ cwd: process.cwd() });
    expect(await runEngines([], io, offline)).toBe(0);
    const text = io.out();
    expect(text.split('\n').map((l) => l.slice(0, 22))).toEqual([
      'available  engine (in ',
      'no   tfjs-node-gpu  no',
      '                    hi',
      'no   tfjs-node      no',
      '                    hi',
      'no   native         th',
      'yes  cpu            th',
      '',
      'auto picks: cpu',
      '',
    ]);
    expect(text).toContain('no   native         the native addon is not built yet\n');
  });

  it('--format json gives { engines: [{ name, available, reason }], auto }', async () => {
    const io = captureIo({ cwd: process.cwd() });
    expect(await runEngines(['--format', 'json'], io, offline)).toBe(0);
    const doc = JSON.parse(io.out()) as { engines: { name: string; available: boolean; reason: string }[]; auto: string };
    expect(doc.auto).toBe('cpu');
    expect(doc.engines.map((e) => [e.name, e.available])).toEqual([
      ['tfjs-node-gpu', false],
      ['tfjs-node', false],
      ['native', false],
      ['cpu', true],
    ]);
    for (const e of doc.engines) expect(e.reason.length).toBeGreaterThan(10);
  });

  it('--engine NAME exits 1 with CVR701 when that engine is unavailable', async () => {
    const io = captureIo({ cwd: process.cwd() });
    expect(await runEngines(['--engine', 'tfjs-node-gpu'], io, offline)).toBe(1);
    expect(io.err()).toMatch(/^error\[CVR701\] engine "tfjs-node-gpu" is not available: not installed/);
    expect(await runEngines(['--engine', 'cpu'], captureIo({ cwd: process.cwd() }), offline)).toBe(0);
  });

  it('rejects unknown options and formats with exit code 2', async () => {
    expect(await main(['engines', '--colour'], captureIo({ cwd: process.cwd() }))).toBe(2);
    expect(await main(['engines', '--format', 'yaml'], captureIo({ cwd: process.cwd() }))).toBe(2);
  });
});

describe('cvr models', () => {
  it('--format json lists the registry with parameter counts at 224 × 224 × 3, 2 classes', async () => {
    const io = captureIo({ cwd: process.cwd() });
    expect(await main(['models', '--format', 'json'], io)).toBe(0);
    const doc = JSON.parse(io.out()) as { models: { name: string; params: number; input: number[] }[] };
    expect(doc.models.map((m) => m.name)).toEqual(['cvrnet', 'resnet50', 'xception', 'vgg19', 'inceptionv3', 'densenet121', 'efficientnetb0']);
    expect(doc.models[0]).toMatchObject({ name: 'cvrnet', params: 48_602_610, input: [224, 224, 3] });
    // 2 classes: the Keras 1000-class count less 2048 × 998 + 998 in the top (ResNet-50).
    expect(doc.models[1]?.params).toBe(25_636_712 - 2048 * 998 - 998);
  });

  it('reports a size too small for one model as CVR704 but still counts the others', async () => {
    const io = captureIo({ cwd: process.cwd() });
    expect(await main(['models', '--size', '32', '--width', '0.125'], io)).toBe(1);
    expect(io.err()).toContain('error[CVR704] inceptionv3 needs an input of at least 75 × 75 pixels, not 32 × 32');
    expect(io.out()).toMatch(/^cvrnet +[\d,]+  CVR-Net/m);
    expect(io.out()).toMatch(/^inceptionv3 +— /m);
  });
});
