// The benchmark's side of instrument.ts: asks every process of an instrumented target for its
// round-trip count, or to start or stop a CPU profile, and waits for all of them to answer.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { COMMAND_FILE, replyFile, type Command, type Reply } from './control-protocol.js'

export class Control {
  readonly dir = mkdtempSync(join(tmpdir(), 'orthrus-bench-control-'))
  private seq = 0

  /** The environment that switches instrument.ts on in the processes started with it. */
  get env(): Record<string, string> {
    return { BENCH_CONTROL_DIR: this.dir }
  }

  async ask(pids: readonly number[], command: Omit<Command, 'seq'>, timeoutMs = 15_000): Promise<Reply[]> {
    const seq = ++this.seq
    const file = join(this.dir, COMMAND_FILE)
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...command, seq }))
    renameSync(`${file}.tmp`, file)
    for (const pid of pids) process.kill(pid, 'SIGUSR2')
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const replies = pids.map((pid) => {
        try {
          const reply = JSON.parse(readFileSync(join(this.dir, replyFile(pid)), 'utf8')) as Reply
          return reply.seq === seq ? reply : undefined
        } catch {
          return undefined
        }
      })
      if (replies.every((r) => r !== undefined)) {
        const failed = replies.find((r) => r.error)
        if (failed) throw new Error(`instrumented process could not ${command.op}: ${failed.error}`)
        return replies
      }
      if (Date.now() > deadline) throw new Error(`instrumented processes did not answer ${command.op} within ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** Database round trips made, and HTTP requests started, so far by these processes together. */
  async counts(pids: readonly number[]): Promise<{ roundTrips: number; requests: number }> {
    const replies = await this.ask(pids, { op: 'count' })
    return { roundTrips: replies.reduce((sum, r) => sum + r.roundTrips, 0), requests: replies.reduce((sum, r) => sum + r.requests, 0) }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true })
  }
}
