import type { CliIo, CommandRunner } from './io.ts';
import { EXIT } from './io.ts';

/** Each command lives in its own module, loaded only when used, so start-up stays fast. */
const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<{ run: CommandRunner }>; tensors?: true }>> = {
  check: { summary: 'parse, resolve and check .cvr files (no data read)', load: () => import('./commands/check.ts') },
  fmt: { summary: 'print the canonical form; --write, --check', load: () => import('./commands/fmt.ts') },
  audit: { summary: 'scan sources, assign splits, run the bias audit', load: () => import('./commands/audit.ts') },
  plan: { summary: 'print the execution DAG (--format json, --dot)', load: () => import('./commands/plan.ts') },
  lock: { summary: 'write the resolved data fingerprint', load: () => import('./commands/lock.ts') },
  run: { summary: 'run a pipeline (resumes from the cache)', load: () => import('./commands/run.ts'), tensors: true },
  cache: { summary: 'inspect, verify (sha256 of every file) and clean the node cache', load: () => import('./commands/cache.ts') },
  report: { summary: 're-write report.md / report.html of a run folder', load: () => import('./commands/report.ts') },
  diff: { summary: 'compare two .cvr files, lock files or run folders', load: () => import('./commands/diff.ts') },
  synth: { summary: 'write phantom chest-image datasets', load: () => import('./commands/synth.ts') },
  models: { summary: 'list the model registry', load: () => import('./commands/models.ts'), tensors: true },
  engines: { summary: 'list tensor engines and which one auto picks', load: () => import('./commands/engines.ts'), tensors: true },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: cvr <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun \`cvr <command> --help\` for a command's options.\n`;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: Boolean(process.stdout.isTTY) && !process.env['CI'],
    cwd: process.cwd(),
    env: process.env,
  };
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version') {
    io.stdout('cvr 0.1.0\n');
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`cvr: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    // Commands that make tensors: tfjs's console notices would sit beside cvr's own engine report.
    if (command.tensors === true) (await import('../engine/notices.ts')).silenceTfjsNotices();
    const module = await command.load();
    return await module.run(rest, io);
  } catch (error) {
    // A thrown error is a bug by the house rules: user errors are diagnostics.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`cvr: internal error in "${name}" — this is a bug; please report it with the command and this text:\n${detail}\n`);
    return EXIT.internal;
  }
}
