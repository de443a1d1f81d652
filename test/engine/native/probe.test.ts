// What the native engine says about itself, built or not.
import { describe, expect, it } from 'vitest';
import { probeNativeAt } from '../../../src/engine/native/index.ts';
import { nativeThreads } from '../../../src/engine/native/backend.ts';

describe('probeNative', () => {
  it('without the addon: unavailable, naming the package and the rebuild command', async () => {
    const p = await probeNativeAt('/nonexistent/cvr_native.node', {});
    expect(p.available).toBe(false);
    expect(p.register).toBeUndefined();
    expect(p.reason).toContain('/nonexistent/cvr_native.node');
    expect(p.reason).toContain('libdnnl-dev');
    expect(p.reason).toContain('npm run build:native');
  });

  it('with a file that is not an addon: unavailable, saying it failed to load', async () => {
    const p = await probeNativeAt(new URL(import.meta.url).pathname, {});
    expect(p.available).toBe(false);
    expect(p.reason).toMatch(/failed to load/);
  });
});

describe('nativeThreads', () => {
  it('takes CVR_NATIVE_THREADS when it is a positive integer, else every core', () => {
    expect(nativeThreads({ CVR_NATIVE_THREADS: '3' }, 8)).toBe(3);
    expect(nativeThreads({}, 8)).toBe(8);
    expect(nativeThreads({ CVR_NATIVE_THREADS: '0' }, 8)).toBe(8);
    expect(nativeThreads({ CVR_NATIVE_THREADS: 'many' }, 2)).toBe(2);
    expect(nativeThreads({}, 0)).toBe(1);
  });
});
