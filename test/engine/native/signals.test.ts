// oneDNN's JIT kernels keep data below the stack pointer, so a signal handled in the middle of one
// (V8's profiler sends SIGPROF every millisecond) corrupted the heap: `bench native-cpu-profile
// --js-top` aborted with "corrupted size vs. prev_size" about one run in ten. The addon now runs
// every call with asynchronous signals blocked. The storm below aborted within 0.2 s before that.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ADDON_PATH, loadAddon } from '../../../src/engine/native/addon.ts';

const storm = fileURLToPath(new URL('./fixtures/signal-storm.mjs', import.meta.url));

describe.skipIf(!loadAddon().ok)('the addon under a storm of signals', () => {
  it('computes every product right, does not corrupt the heap, and leaves signals working', { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [storm, ADDON_PATH, '20000'], { encoding: 'utf8' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ calls: 20000, wrong: 0, handled: true });
  });
});
