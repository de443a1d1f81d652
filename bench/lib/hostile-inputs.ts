/**
 * Input nobody should write, shared by test/cli/fuzz-hostile.test.ts (exit codes, no secret echoed, small
 * output) and bench/hostile.ts (how long each takes, against the 5 s target): one list, so the
 * benchmark times exactly what the test checks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the case is, the cvr arguments (a function: it writes the case's files first), the code expected in the output, the exit. */
export type HostileCase = [what: string, args: () => string[], code: RegExp, exit?: number];

export const HOSTILE_SECRET = 'cvr-fuzz-secret-5f2a9c';

/** `dir` is asked for when a case writes its files (a test's folder is made after the cases are listed). */
export function hostileCases(dir: () => string): HostileCase[] {
  const SECRET = HOSTILE_SECRET;
  const write = (name: string, text: string | Buffer): string => {
    writeFileSync(join(dir(), name), text);
    return name;
  };
  return [
    ['a 3.8 MB file (over the 1 MiB limit)', () => ['check', write('junk.cvr', '@'.repeat(3_800_000))], /CVR132/],
    ['a megabyte of junk after a valid start', () => ['check', write('junk2.cvr', `pipeline p {\n${'@ $ '.repeat(250_000)}}\n`)], /CVR135/],
    ['a megabyte of one junk character', () => ['check', write('junk3.cvr', '\\'.repeat(1_000_000))], /CVR134/],
    ['800 kB of valid statements', () => ['check', write('many.cvr', `pipeline p {\n classes covid\n${Array.from({ length: 10_000 }, (_, i) => ` source s${i} { folder "d${i}" map { "x" -> NOR } }\n`).join('')} task NOR vs CVP\n}\n`)], /CVR406/],
    ['a chain of 20,000 class unions', () => ['check', write('deep.cvr', `pipeline p {\n classes {\n  A0 "a"\n  B "b"\n${Array.from({ length: 19_999 }, (_, i) => `  A${i + 1} = A${i} | B\n`).join('')} }\n task A1 vs B\n}\n`)], /CVR\d+/],
    ['one union of 50,000 classes', () => ['check', write('wide.cvr', `pipeline p {\n classes {\n${Array.from({ length: 50_000 }, (_, i) => `  L${i}\n`).join('')}  U = ${Array.from({ length: 50_000 }, (_, i) => `L${i}`).join(' | ')}\n }\n task U vs L1\n}\n`)], /CVR\d+/],
    ['a string literal of 1,000,000 characters', () => ['check', write('string.cvr', `pipeline p {\n title "${'x'.repeat(1_000_000)}"\n}\n`)], /CVR\d+/],
    ['fmt on a string literal of 1,000,000 characters', () => ['fmt', write('string-fmt.cvr', `pipeline p {\n title "${'x'.repeat(1_000_000)}"\n}\n`)], /pipeline p/, 0],
    ['fmt on a 10 MB file', () => ['fmt', write('ten.cvr', `# ${'y'.repeat(10_000_000)}\n`)], /CVR132/],
    ['a 1,000,000-character identifier', () => ['check', write('ident.cvr', `pipeline p {\n classes covid\n task ${'Q'.repeat(1_000_000)} vs CVP\n}\n`)], /CVR132|CVR301/],
    ['a 900,000-character identifier', () => ['check', write('ident2.cvr', `pipeline p {\n classes covid\n task ${'Q'.repeat(900_000)} vs CVP\n}\n`)], /CVR301/],
    ['random bytes', () => ['check', write('random.cvr', Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919 + (i >> 3) * 31) & 255)))], /CVR133/],
    ['an import of /proc/self/environ', () => ['check', write('proc.cvr', 'import "/proc/self/environ"\n')], /CVR131/],
    ['an import of /dev/zero', () => ['check', write('zero.cvr', 'import "/dev/zero"\n')], /CVR131/],
    ['an import of /dev/urandom', () => ['check', write('urandom.cvr', 'import "/dev/urandom"\n')], /CVR131/],
    ['an import of a folder', () => ['check', write('folder.cvr', 'import "pipelines"\n')], /CVR130/],
    ['an import of a secrets file', () => {
      write('secrets.txt', `root:$6$${SECRET}:19000:0:99999:7:::\ndaemon:*:${SECRET}:0:99999:7:::\n`);
      return ['check', write('imports-secrets.cvr', 'import "secrets.txt"\npipeline p { }\n')];
    }, /CVR134/],
    ['an env file', () => ['check', write('env.cvr', `PATH=/usr/bin:/bin\nTOKEN=${SECRET}\n`)], /CVR134/],
  ];
}
