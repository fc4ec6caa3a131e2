// How long the `orthrus` command takes to start, do one small thing and exit: wall time from
// spawn to exit, as a shell user waits for it.
import { spawn } from 'node:child_process'
import { cleanEnv } from './process.js'
import type { CliTiming } from './report.js'

function once(script: string, args: readonly string[]): Promise<{ ms: number; code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, [script, ...args], { env: cleanEnv({}), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, output }))
  })
}

/** Runs the command `runs` times in a row (after one untimed run that warms the file cache). */
export async function timeCli(script: string, label: string, args: readonly string[], runs: number): Promise<CliTiming> {
  const runsMs: number[] = []
  for (let i = 0; i <= runs; i++) {
    const { ms, code, output } = await once(script, args)
    if (code !== 0) return { label, runsMs, failure: `exited with ${code}: ${output.trim().split('\n')[0] ?? ''}` }
    if (i > 0) runsMs.push(ms)
  }
  return { label, runsMs }
}
