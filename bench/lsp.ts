/**
 * `npm run -s bench -- lsp [--rounds N] [--edits N]`: the language server's two targets.
 *
 * - start: from spawning the server to its answer to `initialize` (the front end is loaded just
 *   after it), and to the first diagnostics of pipelines/cxr.cvr opened then, over N interleaved rounds of
 *   three commands: a bare `node -e ""` (the floor: Node's own start on this machine), the
 *   server as users start it (`node bin/cvr.mjs lsp --stdio`, TypeScript transpiled by tsx at
 *   start), and the same server bundled to one JavaScript file by esbuild (what a precompiled
 *   build gives; skipped when the esbuild that tsx ships is not there). Target: < 500 ms.
 * - diagnostics: pipelines/cxr.cvr (which imports common.cvr) opened, then N edits, each a
 *   change of its seed (so every phase of the check runs); the time from sending the change to
 *   the diagnostics published for that version. Target: < 100 ms.
 *
 * Prints one JSON line; median and spread (min, max, p90) in milliseconds, and the load average.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { LspClient, ROOT } from '../test/lsp/client.ts';

function stats(xs: readonly number[]): { median: number; min: number; max: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  const r = (x: number): number => +x.toFixed(1);
  return { median: r(at(0.5)), min: r(s[0] ?? NaN), max: r(s[s.length - 1] ?? NaN), p90: r(at(0.9)) };
}

async function nodeFloor(): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve) => spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }).once('exit', () => resolve()));
  return performance.now() - t0;
}

/** From spawn to the answer to `initialize`, and to the first diagnostics of pipelines/cxr.cvr opened right then. */
async function serverStart(command: readonly string[]): Promise<{ initialize: number; firstDiagnostics: number }> {
  const file = path.join(ROOT, 'pipelines', 'cxr.cvr');
  const t0 = performance.now();
  const client = LspClient.start(command);
  await client.initialize(path.join(ROOT, 'pipelines'));
  const initialize = performance.now() - t0;
  await client.open(file, readFileSync(file, 'utf8'));
  await client.diagnosticsNow(file);
  const firstDiagnostics = performance.now() - t0;
  await client.stop();
  return { initialize, firstDiagnostics };
}

/** The server bundled by esbuild into one file in a temporary folder; undefined without esbuild. */
async function bundle(dir: string): Promise<string | undefined> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(entry, `import { serveStdio } from ${JSON.stringify(path.join(ROOT, 'src', 'lsp', 'index.ts'))};\nawait serveStdio();\n`);
  const out = path.join(dir, 'cvr-lsp.mjs');
  await esbuild.build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const arg = (name: string, fallback: number): number => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const rounds = arg('rounds', 7);
  const edits = arg('edits', 100);
  const load = loadavg().map((x) => +x.toFixed(2));

  const dir = mkdtempSync(path.join(tmpdir(), 'cvr-lsp-bench-'));
  const bundled = await bundle(dir);
  const tsxCommand = [process.execPath, path.join(ROOT, 'bin', 'cvr.mjs'), 'lsp', '--stdio'];
  const floor: number[] = [];
  const tsx: { initialize: number; firstDiagnostics: number }[] = [];
  const compiled: { initialize: number; firstDiagnostics: number }[] = [];
  // One untimed start of each first (disk caches), then interleaved rounds.
  await serverStart(tsxCommand);
  if (bundled !== undefined) await serverStart([process.execPath, bundled]);
  for (let r = 0; r < rounds; r++) {
    floor.push(await nodeFloor());
    tsx.push(await serverStart(tsxCommand));
    if (bundled !== undefined) compiled.push(await serverStart([process.execPath, bundled]));
  }

  // Diagnostics after an edit, on the server as users start it.
  const file = path.join(ROOT, 'pipelines', 'cxr.cvr');
  const text = readFileSync(file, 'utf8');
  const seed = /seed (\d+)/.exec(text);
  if (seed === null) throw new Error('pipelines/cxr.cvr has no seed to edit');
  const client = LspClient.start(tsxCommand);
  await client.initialize(path.join(ROOT, 'pipelines'));
  await client.open(file, text);
  const first = await client.diagnosticsNow(file);
  const latencies: number[] = [];
  for (let i = 0; i < edits; i++) {
    const edited = text.replace(seed[0], `seed ${i + 1}`);
    const t0 = performance.now();
    await client.change(file, edited);
    await client.diagnosticsNow(file);
    latencies.push(performance.now() - t0);
  }
  await client.stop();
  rmSync(dir, { recursive: true, force: true });

  process.stdout.write(
    `${JSON.stringify({
      bench: 'lsp',
      rounds,
      loadavg: load,
      node_floor_ms: stats(floor),
      start_ms: stats(tsx.map((x) => x.initialize)),
      start_to_first_diagnostics_ms: stats(tsx.map((x) => x.firstDiagnostics)),
      start_bundled_ms: bundled === undefined ? null : stats(compiled.map((x) => x.initialize)),
      start_bundled_to_first_diagnostics_ms: bundled === undefined ? null : stats(compiled.map((x) => x.firstDiagnostics)),
      start_target_ms: 500,
      edits,
      file: 'pipelines/cxr.cvr',
      diagnostics_on_open: first.diagnostics.length,
      diagnostics_ms: stats(latencies),
      diagnostics_target_ms: 100,
      loadavg_after: loadavg().map((x) => +x.toFixed(2)),
    })}\n`,
  );
  return 0;
}
