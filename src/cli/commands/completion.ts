/** `cvr completion bash|zsh|fish`: a completion script built from the commands' option tables. */
import type { CliIo } from '../io.ts';
import { EXIT } from '../io.ts';
import { settleCommandLine, usageError, type CommandSpec } from '../args.ts';
import * as SPECS from '../specs.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

function specs(): CommandSpec[] {
  return Object.values(SPECS);
}

function optionWords(spec: CommandSpec): string[] {
  return [...Object.keys(spec.options), 'help'].map((o) => `--${o}`);
}

function bash(): string {
  const cases = specs().map((s) => `    ${s.name}) opts="${optionWords(s).join(' ')}" ;;`).join('\n');
  return `# bash completion for cvr (cvr completion bash)
_cvr() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${specs().map((s) => s.name).join(' ')} help --help --version" -- "$cur") )
    return
  fi
  local opts=""
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _cvr cvr
`;
}

function zsh(): string {
  const quote = (text: string): string => text.replaceAll("'", "'\\''").replaceAll(':', '\\:').replaceAll('[', '\\[').replaceAll(']', '\\]');
  const commands = specs().map((s) => `    '${s.name}:${quote(s.summary)}'`).join('\n');
  const cases = specs()
    .map((s) => {
      const opts = Object.entries(s.options).map(([name, o]) => `'--${name}[${quote(o.help.split('\n')[0] ?? '')}]${o.kind === 'boolean' ? '' : `:${quote(o.value)}:_files`}'`);
      return `    ${s.name}) _arguments ${[...opts, "'*:file:_files'"].join(' ')} ;;`;
    })
    .join('\n');
  return `#compdef cvr
# zsh completion for cvr (cvr completion zsh)
_cvr() {
  local -a commands
  commands=(
${commands}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${cases}
  esac
}
_cvr "$@"
`;
}

function fish(): string {
  const lines = ['# fish completion for cvr (cvr completion fish)', 'complete -c cvr -f'];
  for (const s of specs()) {
    lines.push(`complete -c cvr -n __fish_use_subcommand -a ${s.name} -d ${JSON.stringify(s.summary)}`);
    for (const [name, o] of Object.entries(s.options)) {
      const takes = o.kind === 'boolean' ? '' : ' -r';
      lines.push(`complete -c cvr -n '__fish_seen_subcommand_from ${s.name}' -l ${name}${takes} -d ${JSON.stringify(o.help.split('\n')[0] ?? '')}`);
    }
    lines.push(`complete -c cvr -n '__fish_seen_subcommand_from ${s.name}' -F`);
  }
  return `${lines.join('\n')}\n`;
}

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = settleCommandLine(SPECS.COMPLETION, argv, io);
  if (typeof args === 'number') return args;
  const shell = args.positional[0] as (typeof SHELLS)[number];
  if (!SHELLS.includes(shell)) return usageError(SPECS.COMPLETION, `no completion for "${shell}"; choose ${SHELLS.join(', ')}`, io);
  io.stdout(shell === 'bash' ? bash() : shell === 'zsh' ? zsh() : fish());
  return EXIT.ok;
}
