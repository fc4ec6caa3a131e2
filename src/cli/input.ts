import { readFile } from 'node:fs/promises'
import { CliError, io } from './output.js'

/** Repeating a flag and separating values with commas (or spaces, for scopes) both add to the list. */
export const scopeList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(/[\s,]+/).filter((v) => v !== ''),
]
export const commaList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value.split(',').map((v) => v.trim()).filter((v) => v !== ''),
]

export interface JsonSource {
  /** The file name, or 'stdin' for '-'. */
  source: string
  parsed: unknown
}

/**
 * Reads and parses every input ('-' is standard input) before anything is sent, so a typo in
 * the last file imports nothing. `emptyHint`, when given, names what an empty input should hold.
 */
export async function readJsonSources(files: readonly string[], emptyHint?: string): Promise<JsonSource[]> {
  const out: JsonSource[] = []
  for (const file of files) {
    const source = file === '-' ? 'stdin' : file
    let text: string
    try {
      text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8')
    } catch (err) {
      if (err instanceof CliError) throw err
      throw new CliError(`cannot read ${source}: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (emptyHint !== undefined && text.trim() === '') throw new CliError(`${source} is empty: ${emptyHint}`)
    try {
      out.push({ source, parsed: JSON.parse(text) as unknown })
    } catch (err) {
      throw new CliError(`${source} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  return out
}
