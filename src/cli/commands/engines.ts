import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { chooseEngine, probeEngines, realProbeHost, type ProbeHost } from '../../engine/index.ts';
import { formatDiagnostic, parseFlags } from './flags.ts';

const HELP = `usage: cvr engines [--format text|json] [--engine NAME]

Lists the tensor engines in the order \`auto\` tries them (tfjs-node-gpu, tfjs-node,
native, cpu), whether each is available here and why, and which one \`auto\` picks.
--engine NAME checks that one engine can be used (exit 1 with the reason if not).
`;

/** `cvr engines`; `host` is injectable so tests can stage machines without tfjs-node. */
export async function run(argv: readonly string[], io: CliIo, host: ProbeHost = realProbeHost()): Promise<number> {
  const flags = parseFlags(argv, { format: 'value', engine: 'value', help: 'bool' });
  if (!flags.ok) {
    io.stderr(`cvr engines: ${flags.error}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (flags.values.help !== undefined) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const format = flags.values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    io.stderr(`cvr engines: --format must be text or json, not "${format}"\n`);
    return EXIT.usage;
  }
  const { engines, auto } = await probeEngines(host);
  const forced = flags.values.engine;
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
