import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { chooseEngine, probeEngines, realProbeHost, type ProbeHost } from '../../engine/index.ts';
import { formatDiagnostic } from './flags.ts';
import { settleCommandLine } from '../args.ts';
import { ENGINES } from '../specs.ts';

/** `cvr engines`; `host` is injectable so tests can stage machines without tfjs-node. */
export async function run(argv: readonly string[], io: CliIo, host: ProbeHost = realProbeHost()): Promise<number> {
  const args = settleCommandLine(ENGINES, argv, io);
  if (typeof args === 'number') return args;
  const format = args.values.format ?? 'text';
  const { engines, auto } = await probeEngines(host);
  const forced = args.values.engine;
  const choice = forced === undefined ? undefined : await chooseEngine(forced, host);

  if (format === 'json') {
    const doc = {
      engines,
      auto,
      ...(choice === undefined ? {} : { requested: forced, ok: choice.ok, diagnostics: choice.ok ? [] : choice.diagnostics }),
    };
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const width = Math.max(...engines.map((e) => e.name.length));
    const lines = engines.map((e) => {
      const head = `${e.available ? 'yes' : 'no '}  ${e.name.padEnd(width)}  ${e.reason}`;
      return e.hint === undefined || e.available ? head : `${head}\n${' '.repeat(width + 7)}hint: ${e.hint}`;
    });
    io.stdout(`available  engine (in auto order)  reason\n${lines.join('\n')}\n\nauto picks: ${auto}\n`);
    if (choice !== undefined && !choice.ok) for (const d of choice.diagnostics) io.stderr(formatDiagnostic(d));
    if (choice !== undefined && choice.ok) io.stdout(`--engine ${forced}: available\n`);
  }
  return choice === undefined || choice.ok ? EXIT.ok : EXIT.failed;
}
