// `completion bash|zsh|fish`: shell completion scripts, as Hydra's CLI offers them. The scripts
// carry a table made from the program itself (command path -> subcommands and long flags), so
// they complete exactly the commands this version has. A shell walks the words typed so far
// through that table, skipping what is not a known step (arguments, flag values).
import type { Command } from 'commander'
import { CliError, io, runAction } from './output.js'

export const SHELLS = ['bash', 'zsh', 'fish'] as const
type Shell = (typeof SHELLS)[number]

/** Every command path ('' is the program) with the words that may follow it. */
export function completionTable(program: Command): Map<string, string[]> {
  const table = new Map<string, string[]>()
  const visit = (cmd: Command, path: string): void => {
    const words: string[] = []
    for (const sub of cmd.commands) {
      for (const name of [sub.name(), ...sub.aliases()]) {
        words.push(name)
        visit(sub, path === '' ? name : `${path} ${name}`)
      }
    }
    for (const option of cmd.options) if (option.long) words.push(option.long)
    words.push('--help')
    table.set(path, [...new Set(words)])
  }
  visit(program, '')
  return table
}

// Command names and flags are [a-z0-9-] words; anything else would need quoting in the scripts.
function checked(table: Map<string, string[]>): Map<string, string[]> {
  for (const [path, words] of table) {
    for (const w of [path, ...words]) if (!/^[\w -]*$/.test(w)) throw new Error(`completion: cannot embed ${JSON.stringify(w)}`)
  }
  return table
}

function bash(name: string, table: Map<string, string[]>): string {
  const cases = [...table].map(([path, words]) => `    "${path}") echo "${words.join(' ')}" ;;`).join('\n')
  return `# ${name} completion for bash. Load it with: source <(${name} completion bash)
_${fn(name)}_words() {
  case "$1" in
${cases}
    *) return 1 ;;
  esac
}
_${fn(name)}() {
  local path="" word next words
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    next="\${path:+$path }$word"
    if _${fn(name)}_words "$next" >/dev/null; then path="$next"; fi
  done
  words="$(_${fn(name)}_words "$path")"
  COMPREPLY=($(compgen -W "$words" -- "\${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _${fn(name)} ${name}
`
}

function zsh(name: string, table: Map<string, string[]>): string {
  const cases = [...table].map(([path, words]) => `    "${path}") print -r -- "${words.join(' ')}" ;;`).join('\n')
  return `#compdef ${name}
# ${name} completion for zsh. Load it with: source <(${name} completion zsh)
_${fn(name)}_words() {
  case "$1" in
${cases}
    *) return 1 ;;
  esac
}
_${fn(name)}() {
  local cmdpath="" word next
  for word in "\${(@)words[2,CURRENT-1]}"; do
    next="\${cmdpath:+$cmdpath }$word"
    if _${fn(name)}_words "$next" >/dev/null; then cmdpath="$next"; fi
  done
  local -a candidates
  candidates=(\${=$(_${fn(name)}_words "$cmdpath")})
  compadd -- $candidates || _files
}
if (( $+functions[compdef] )); then compdef _${fn(name)} ${name}; fi
`
}

function fish(name: string, table: Map<string, string[]>): string {
  const cases = [...table].map(([path, words]) => `        case '${path}'\n            printf '%s\\n' ${words.join(' ')}`).join('\n')
  return `# ${name} completion for fish. Load it with: ${name} completion fish | source
function __${fn(name)}_words
    switch $argv[1]
${cases}
        case '*'
            return 1
    end
end
function __${fn(name)}_complete
    set -l cmdpath ''
    for word in (commandline -opc)[2..-1]
        set -l next (string trim -- "$cmdpath $word")
        if __${fn(name)}_words "$next" >/dev/null
            set cmdpath $next
        end
    end
    __${fn(name)}_words "$cmdpath"
end
complete -c ${name} -a '(__${fn(name)}_complete)'
`
}

const fn = (name: string): string => name.replace(/\W/g, '_')

export function completionScript(shell: Shell, program: Command): string {
  const table = checked(completionTable(program))
  const name = program.name()
  return { bash, zsh, fish }[shell](name, table)
}

export function registerCompletionCommand(program: Command): void {
  program
    .command('completion')
    .description('Print a shell completion script (bash, zsh or fish)')
    .argument('<shell>', SHELLS.join(', '))
    .action(
      runAction(async (shell: string) => {
        if (!(SHELLS as readonly string[]).includes(shell)) throw new CliError(`unknown shell "${shell}": use ${SHELLS.join(', ')}`)
        io.stdout(completionScript(shell as Shell, program))
      }),
    )
}
