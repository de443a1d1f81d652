/**
 * Where the native engine cannot be had: `cvr run` warns (CVR709) before training starts, with
 * the measured slowdown and the one command that fixes it; the addon's build script says exactly
 * why it built nothing. The machine without oneDNN is staged with CVR_NATIVE_ADDON (a missing
 * addon) and CVR_DNNL_ROOT (a missing oneDNN install).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_MODEL_IMAGES_PER_S, NATIVE_FIX_COMMAND, slowEngineWarning } from '../../src/engine/slow-engine.ts';
import { tempDir } from '../run/helpers.ts';
import { tinyPipeline, writeTinyData } from '../run/fixtures/tiny-data.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CVR = join(ROOT, 'bin/cvr.mjs');
const BUILD = join(ROOT, 'native/build.mjs');

describe('slowEngineWarning', () => {
  it('auto ending on cpu: CVR709 with the slowdown from the measured figures and the fix', () => {
    const d = slowEngineWarning('cpu', 'auto', 'the addon is not built (/x/cvr_native.node is missing); to enable it: …');
    expect(d?.code).toBe('CVR709');
    expect(d?.severity).toBe('warning');
    const ratio = Math.round(DEMO_MODEL_IMAGES_PER_S.native / DEMO_MODEL_IMAGES_PER_S.cpu);
    expect(d?.message).toContain(`${ratio}× slower`);
    expect(d?.message).toContain('/x/cvr_native.node is missing');
    expect(d?.hint).toContain(NATIVE_FIX_COMMAND);
  });

  it('no warning for a forced cpu engine or for any other engine', () => {
    expect(slowEngineWarning('cpu', 'cpu')).toBeUndefined();
    expect(slowEngineWarning('native', 'auto')).toBeUndefined();
  });
});

describe('native/build.mjs without oneDNN', () => {
  const build = (args: string[]) => spawnSync(process.execPath, [BUILD, ...args], { encoding: 'utf8', env: { ...process.env, CVR_DNNL_ROOT: '/nonexistent/dnnl' } });

  it('npm ci (postinstall) succeeds but says why nothing was built and what fixes it', () => {
    const r = build([]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('NOT BUILT: oneDNN headers not found');
    expect(r.stderr).toContain('/nonexistent/dnnl/include');
    expect(r.stderr).toContain('libdnnl-dev');
    expect(r.stderr).toContain('npm run setup');
  });

  it('npm run build:native (--strict) fails', () => {
    expect(build(['--strict']).status).toBe(1);
  });

  it.runIf(existsSync('/usr/include/oneapi/dnnl/dnnl_version.h'))('--syntax-only names the oneDNN version and API it compiled against', () => {
    const r = spawnSync(process.execPath, [BUILD, '--syntax-only'], { encoding: 'utf8', env: { ...process.env, CVR_DNNL_ROOT: '/usr' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/addon\.cc compiles against oneDNN [23]\.\d+(\.\d+)? \([23]\.x API/);
  });
});

describe('cvr run without the native addon', () => {
  let dir = '';
  let dispose = (): void => undefined;
  beforeAll(async () => {
    ({ dir, dispose } = tempDir('slow'));
    await writeTinyData(dir, 4);
    writeFileSync(join(dir, 'tiny.cvr'), tinyPipeline('metrics accuracy', undefined, { epochs: 1 }));
  });
  afterAll(() => dispose());

  it('warns before training starts, naming the missing addon and npm run setup', { timeout: 300_000 }, async () => {
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(process.execPath, [CVR, 'run', 'tiny.cvr', '--cache', 'cache', '--out', 'run'], {
        cwd: dir,
        env: { ...process.env, CI: '1', CVR_NATIVE_ADDON: '/nonexistent/cvr_native.node' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (c: Buffer) => { text += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { text += c.toString(); });
      child.on('exit', (code) => resolve({ code, text }));
    });
    expect(output.code, output.text).toBe(0);
    const warning = output.text.indexOf('CVR709');
    const training = output.text.search(/^\S+ start +train:/m);
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(training).toBeGreaterThan(warning);
    expect(output.text).toContain('/nonexistent/cvr_native.node is missing');
    expect(output.text).toContain('npm run setup');
  });
});
