// The program as a whole: the lazy module table, --version/-v, and the completion scripts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from 'commander'
import { afterAll, describe, expect, it } from 'vitest'
import { buildProgram, MODULES_BY_COMMAND } from '../../src/cli/program.js'
import { completionScript, completionTable } from '../../src/cli/completion.js'
import { VERSION } from '../../src/version.js'
import { runCli } from '../support/cli.js'

const tree = (cmd: Command): unknown => ({
  names: [cmd.name(), ...cmd.aliases()],
  options: cmd.options.map((o) => o.flags),
  commands: cmd.commands.map(tree),
})
const argv = (...words: string[]) => ['node', 'orthrus', ...words]

describe('loading only the modules a command needs', () => {
  it('lists every top-level command of the whole program, and each loads the same subtree', async () => {
    const full = await buildProgram()
    const names = full.commands.map((c) => c.name()).filter((n) => n !== 'version')
    expect(Object.keys(MODULES_BY_COMMAND).sort()).toEqual([...names].sort())
    for (const name of names) {
      const partial = await buildProgram(argv(name))
      const pick = (p: Command) => p.commands.find((c) => c.name() === name)
      expect(tree(pick(partial)!), name).toEqual(tree(pick(full)!))
    }
  })

  it('loads everything for help, an unknown word or no command', async () => {
    const full = (await buildProgram()).commands.length
    for (const args of [argv(), argv('--help'), argv('nope'), argv('help', 'create')]) {
      expect((await buildProgram(args)).commands).toHaveLength(full)
    }
  })
})

describe('version', () => {
  it('answers the same to `version`, --version and -v (built binary)', async () => {
    for (const args of [['version'], ['--version'], ['-v']]) {
      const r = await runCli(args)
      expect(r.code, args.join(' ')).toBe(0)
      expect(r.stdout).toBe(`Version:    ${VERSION}\n`)
    }
  })
})

describe('completion', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orthrus-completion-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const script = async (shell: 'bash' | 'zsh' | 'fish'): Promise<string> => {
    const file = join(dir, `orthrus.${shell}`)
    writeFileSync(file, completionScript(shell, await buildProgram()))
    return file
  }

  it('tables every command path with its subcommands, aliases and long flags', async () => {
    const table = completionTable(await buildProgram())
    expect(table.get('')).toEqual(expect.arrayContaining(['create', 'delete', 'serve', 'migrate', 'completion', '--version', '--help']))
    expect(table.get('delete')).toEqual(expect.arrayContaining(['oauth2-client', 'access-tokens', 'jwk', 'jwt-bearer-grant']))
    expect(table.get('create oauth2-client')).toEqual(expect.arrayContaining(['--grant-type', '--endpoint', '--format']))
    expect(table.get('create client')).toEqual(table.get('create oauth2-client'))
    expect(table.get('migrate sql down')).toEqual(expect.arrayContaining(['--yes', '--read-from-env']))
  })

  it('completes in bash, skipping arguments and flag values', async () => {
    const file = await script('bash')
    const complete = (words: string[]): string[] => {
      const line = words.map((w) => `'${w}'`).join(' ')
      const r = spawnSync('bash', ['-c', `source '${file}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _orthrus; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' })
      expect(r.stderr).toBe('')
      return r.stdout.split('\n').filter(Boolean)
    }
    expect(complete(['orthrus', 'cr'])).toEqual(['create'])
    expect(complete(['orthrus', 'delete', 'ac'])).toEqual(['access-tokens'])
    expect(complete(['orthrus', 'create', 'oauth2-client', '--endpoint', 'http://x', '--grant-t'])).toEqual(['--grant-type'])
    expect(complete(['orthrus', 'migrate', 'sql', ''])).toEqual(expect.arrayContaining(['up', 'down', 'status']))
  })

  const shellMissing = (shell: string) => !existsSync(`/usr/bin/${shell}`) && !existsSync(`/bin/${shell}`)

  it.skipIf(shellMissing('zsh'))('is a zsh script zsh accepts and that completes', async () => {
    const file = await script('zsh')
    expect(spawnSync('zsh', ['-n', file], { encoding: 'utf8' }).stderr).toBe('')
    const r = spawnSync('zsh', ['-c', `compadd() { print -l -- "\${@[2,-1]}" }; source '${file}'; words=(orthrus delete ''); CURRENT=3; _orthrus`], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.stdout.split('\n')).toEqual(expect.arrayContaining(['access-tokens', 'oauth2-client']))
  })

  it.skipIf(shellMissing('fish'))('is a fish script fish accepts and that completes', async () => {
    const file = await script('fish')
    expect(spawnSync('fish', ['--no-execute', file], { encoding: 'utf8' }).stderr).toBe('')
    const r = spawnSync('fish', ['-c', `source '${file}'; complete -C 'orthrus delete ac'`], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('access-tokens')
  })

  it('refuses an unknown shell in one line', async () => {
    const r = await runCli(['completion', 'powershell'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('Error: unknown shell "powershell": use bash, zsh, fish\n')
  })
})
