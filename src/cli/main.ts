import type { CliIo, CommandRunner } from './io.ts';
import { EXIT } from './io.ts';
import { cvrVersion } from '../diag/index.ts';

import { closestName } from '../diag/index.ts';
import { usageText, type CommandSpec } from './args.ts';
import * as SPECS from './specs.ts';

interface CommandEntry {
  readonly spec: CommandSpec;
  /** Each command lives in its own module, loaded only when used, so start-up stays fast. */
  readonly load: () => Promise<{ run: CommandRunner }>;
  /** Commands that make tensors: tfjs's console notices would sit beside cvr's own engine report. */
  readonly tensors?: true;
  /** Internal commands (run by cvr itself) are not listed. */
  readonly hidden?: true;
}

/** The commands, in the order `cvr --help` lists them. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  init: { spec: SPECS.INIT, load: () => import('./commands/init.ts') },
  check: { spec: SPECS.CHECK, load: () => import('./commands/check.ts') },
  fmt: { spec: SPECS.FMT, load: () => import('./commands/fmt.ts') },
  audit: { spec: SPECS.AUDIT, load: () => import('./commands/audit.ts') },
  plan: { spec: SPECS.PLAN, load: () => import('./commands/plan.ts') },
  lock: { spec: SPECS.LOCK, load: () => import('./commands/lock.ts') },
  run: { spec: SPECS.RUN, load: () => import('./commands/run.ts'), tensors: true },
  'run-node': { spec: SPECS.RUN_NODE, load: () => import('./commands/run-node.ts'), tensors: true, hidden: true },
  status: { spec: SPECS.STATUS, load: () => import('./commands/slurm-jobs.ts').then((m) => ({ run: m.status })) },
  cancel: { spec: SPECS.CANCEL, load: () => import('./commands/slurm-jobs.ts').then((m) => ({ run: m.cancel })) },
  cache: { spec: SPECS.CACHE, load: () => import('./commands/cache.ts') },
  report: { spec: SPECS.REPORT, load: () => import('./commands/report.ts') },
  diff: { spec: SPECS.DIFF, load: () => import('./commands/diff.ts') },
  synth: { spec: SPECS.SYNTH, load: () => import('./commands/synth.ts') },
  models: { spec: SPECS.MODELS, load: () => import('./commands/models.ts'), tensors: true },
  lsp: { spec: SPECS.LSP, load: () => import('./commands/lsp.ts') },
  engines: { spec: SPECS.ENGINES, load: () => import('./commands/engines.ts'), tensors: true },
  weights: { spec: SPECS.WEIGHTS, load: () => import('./commands/weights.ts'), tensors: true },
  doctor: { spec: SPECS.DOCTOR, load: () => import('./commands/doctor.ts'), tensors: true },
  completion: { spec: SPECS.COMPLETION, load: () => import('./commands/completion.ts') },
};

function usage(): string {
  const listed = Object.entries(COMMANDS).filter(([, c]) => c.hidden !== true);
  const width = Math.max(...listed.map(([c]) => c.length));
  const lines = listed.map(([name, c]) => `  ${name.padEnd(width)}  ${c.spec.summary}`);
  return (
    `usage: cvr <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n` +
    'Run `cvr help <command>` (or `cvr <command> --help`) for its options; `cvr --version` prints the version.\n'
  );
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: Boolean(process.stdout.isTTY) && !process.env['CI'],
    cwd: process.cwd(),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

function unknownCommand(name: string, io: CliIo): number {
  const suggestion = closestName(name, Object.keys(COMMANDS));
  const hint = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
  io.stderr(`cvr: unknown command "${name}"${hint}\n\n${usage()}`);
  return EXIT.usage;
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === 'help') {
    const topic = rest[0];
    if (topic === undefined) {
      io.stdout(usage());
      return EXIT.ok;
    }
    const entry = COMMANDS[topic];
    if (entry === undefined) return unknownCommand(topic, io);
    io.stdout(usageText(entry.spec));
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout(`cvr ${cvrVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) return unknownCommand(name, io);
  try {
    // Commands that make tensors: tfjs's console notices would sit beside cvr's own engine report.
    if (command.tensors === true) (await import('../engine/index.ts')).silenceTfjsNotices();
    const module = await command.load();
    return await module.run(rest, io);
  } catch (error) {
    // A thrown error is a bug by the house rules: user errors are diagnostics.
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`cvr: internal error in "${name}" — this is a bug; please report it with the command and this text:\n${detail}\n`);
    return EXIT.internal;
  }
}
