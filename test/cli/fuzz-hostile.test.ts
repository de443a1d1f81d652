/**
 * `cvr check` and `cvr fmt` on input nobody should write: thousands of mutants of the shipped
 * pipelines, and a list of hostile files (huge, deep, binary, a FIFO, /proc, /dev, a secrets
 * file, a megabyte-long name). Every one ends with exit 0 or 1 (never 3, the bug exit), and no
 * output echoes what a foreign file holds. In process: `main()` is called directly. How long each
 * takes (target: under 5 s) is measured by `npm run -s bench -- hostile`, not here: a timed test
 * fails on a loaded machine; the timeouts below only catch a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { main } from '../../src/cli/main.ts';
import { loadPipelinesWith } from '../../src/dsl/load-pipelines.ts';
import { MAX_SYNTAX_DIAGNOSTICS, parseCvr } from '../../src/dsl/parse.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { HOSTILE_SECRET, hostileCases, type HostileCase } from '../../bench/lib/hostile-inputs.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const MUTANTS = Number(process.env['CVR_FUZZ_MUTANTS'] ?? 2000);

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cvr-fuzz-'));
  cpSync(join(ROOT, 'pipelines'), join(dir, 'pipelines'), { recursive: true });
  cpSync(join(ROOT, 'examples', 'tiny.cvr'), join(dir, 'pipelines', 'tiny.cvr'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cvr(args: readonly string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const io: CliIo = { stdout: (t) => (output += t), stderr: (t) => (output += t), isTty: false, cwd: dir, env: {} };
  const code = await main(args, io);
  return { code, output };
}

function expectHandled(result: { code: number; output: string }, what: string): void {
  expect([0, 1], `${what}: exit ${result.code}\n${result.output.slice(0, 2000)}`).toContain(result.code);
  expect(result.output, what).not.toMatch(/internal error|this is a bug/);
}

describe('mutants of the shipped pipelines', () => {
  it(`${MUTANTS} mutants: exit 0 or 1`, { timeout: 240_000 }, async () => {
    const names = readdirSync(join(dir, 'pipelines')).filter((f) => f.endsWith('.cvr'));
    const originals = new Map(names.map((n) => [n, readFileSync(join(dir, 'pipelines', n), 'utf8')]));
    const pieces = ['', '{', '}', '"', '/', '#', ' x ', '\n', '->', '%', 'vs', '|', '=', ',', 'ééé', '\u0000', 'import "common.cvr"\n', 'extends ', 'NCV', 'drop', '999999999999', '1e309', '-1', '\t', 'classes {', 'A = A | B\n'];
    const mutant = fc.record({
      file: fc.constantFrom(...names),
      edits: fc.array(
        fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 }), fc.constant('DUP'))),
        { minLength: 1, maxLength: 6 },
      ),
    });
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(mutant, async ({ file, edits }) => {
        const original = originals.get(file) ?? '';
        const text = edits.reduce((t, [at, length, insert]) => {
          const start = t.length === 0 ? 0 : at % t.length;
          // DUP repeats a stretch of the file (a duplicated block or statement).
          const piece = insert === 'DUP' ? t.slice(start, start + length * 4) : insert;
          return t.slice(0, start) + piece + t.slice(start + (insert === 'DUP' ? 0 : length));
        }, original);
        writeFileSync(join(dir, 'pipelines', file), text);
        try {
          const result = await cvr(['check', join('pipelines', file)]);
          codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
          expectHandled(result, `mutant of ${file}`);
        } finally {
          writeFileSync(join(dir, 'pipelines', file), original);
        }
      }),
      { numRuns: MUTANTS, seed: 17 },
    );
    // The mutants reach both outcomes: some stay valid, most are broken.
    expect(codes.get(1) ?? 0).toBeGreaterThan(MUTANTS / 4);
    expect([...codes.keys()].every((c) => c === 0 || c === 1)).toBe(true);
  });
});

describe('hostile input', () => {
  const SECRET = HOSTILE_SECRET;
  const write = (name: string, text: string | Buffer): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };

  it.each<HostileCase>(hostileCases(() => dir))('%s: exit 0 or 1 with a code, and no echo of the file', { timeout: 60_000 }, async (what, args, code, exit = 1) => {
    const result = await cvr(args());
    expectHandled(result, what);
    expect(result.code, result.output.slice(0, 500)).toBe(exit);
    expect(result.output).toMatch(code);
    expect(result.output).not.toContain(SECRET);
    // No diagnostic prints a file whole: output stays small whatever the input's size.
    if (args.length > 0 && exit === 1) expect(result.output.length).toBeLessThan(20_000);
  });

  it('past the size limit too, the loader has no recursion or spread limit: 3.8 MB of junk and a 7 MB string load in process', { timeout: 60_000 }, async () => {
    const texts = new Map([
      ['/virtual/junk.cvr', '@'.repeat(3_800_000)],
      ['/virtual/string.cvr', `pipeline p {\n title "${'x'.repeat(7_000_000)}"\n}\n`],
    ]);
    for (const [file] of texts) {
      const loaded = await loadPipelinesWith([file], parseCvr, { readFile: async (path) => texts.get(path) });
      expect(loaded.diagnostics.length).toBeGreaterThan(0);
      expect(loaded.diagnostics.length).toBeLessThanOrEqual(MAX_SYNTAX_DIAGNOSTICS + 2);
    }
  });

  it('a FIFO, named or imported, is refused at once instead of blocking', { timeout: 20_000 }, async () => {
    execFileSync('mkfifo', [join(dir, 'pipe.cvr')]);
    write('imports-pipe.cvr', 'import "pipe.cvr"\n');
    for (const args of [['check', 'pipe.cvr'], ['check', 'imports-pipe.cvr'], ['fmt', 'pipe.cvr']]) {
      const result = await cvr(args);
      expectHandled(result, args.join(' '));
      expect(result.code).toBe(1);
      expect(result.output).toMatch(/CVR130|FIFO/);
    }
  });

  it('the environment never reaches the output through /proc', async () => {
    process.env['CVR_FUZZ_SECRET'] = SECRET;
    try {
      for (const target of ['/proc/self/environ', '/proc/self/cmdline', '/proc/1/environ', '/sys/kernel/hostname']) {
        const result = await cvr(['check', write('leak.cvr', `import "${target}"\n`)]);
        expectHandled(result, target);
        expect(result.output).not.toContain(SECRET);
        expect(result.output).toMatch(/CVR131/);
      }
    } finally {
      delete process.env['CVR_FUZZ_SECRET'];
    }
  });
});
