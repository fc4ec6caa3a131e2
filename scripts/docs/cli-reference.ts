// docs/cli.md from the commander program itself: every command's --help text, so the reference
// lists exactly the commands, arguments and flags this version has.
import type { Command } from 'commander'

const WIDTH = 100

function commandPath(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

function walk(cmd: Command, out: Command[]): void {
  out.push(cmd)
  for (const sub of cmd.commands) walk(sub, out)
}

export function cliReference(program: Command): string {
  const commands: Command[] = []
  walk(program, commands)
  const sections = commands.map((cmd) => {
    // A fixed width and no colours: the text must not depend on the terminal that runs the generator.
    cmd.configureHelp({ helpWidth: WIDTH })
    cmd.configureOutput({ getOutHasColors: () => false })
    const path = commandPath(cmd)
    const aliases = cmd.aliases().length > 0 ? `\nAlso: ${cmd.aliases().map((a) => `\`${a}\``).join(', ')}\n` : ''
    return `## \`${path}\`\n${aliases}\n\`\`\`text\n${cmd.helpInformation().trimEnd()}\n\`\`\`\n`
  })
  const toc = commands
    .filter((c) => c.commands.length === 0)
    .map((c) => commandPath(c))
    .map((p) => `[\`${p.replace(/^orthrus /, '')}\`](#${anchor(p)})`)
    .join(' · ')
  return [
    '# CLI reference',
    '',
    '<!-- Generated from the commander program (src/cli/) by `npm run docs`; edit the commands, not this file. -->',
    '',
    'Every command and flag of `orthrus`, as its `--help` prints it. Client commands talk to a running',
    'server over its admin or public API (`--endpoint`, or `ORY_SDK_URL`); `serve`, `migrate`, `janitor`',
    'and `secrets` work on the database directly.',
    '',
    toc,
    '',
    ...sections,
  ].join('\n')
}

// GitHub's heading anchors: lower case, punctuation other than - and _ dropped, spaces to -.
function anchor(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\w\s-]/g, '')
    .replace(/\s/g, '-')
}
