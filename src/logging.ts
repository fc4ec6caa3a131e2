import { Writable } from 'node:stream'
import { pino, type Logger, type LevelWithSilent } from 'pino'
import type { Config } from './config/types.js'
import { setLogFlush } from './log-flush.js'

export type { Logger }

/** What finished log lines are written to. */
export interface LineOut {
  write(line: string): unknown
}

/** Where a logger's finished lines go and in which format; children share their root's. */
interface Sink {
  format: Config['log']['format']
  out: LineOut
}
const SINK = Symbol('orthrus.log.sink')
type WithSink = Logger & { [SINK]?: Sink }

// Keys whose values are credentials wherever they appear in a log object.
const SENSITIVE = [
  'client_secret',
  'secret',
  'password',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'assertion',
  'authorization',
  'cookie',
  'dsn',
]

const LEVEL: Record<Config['log']['level'], LevelWithSilent> = {
  panic: 'fatal',
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
}

/** `level=info msg="..." key=value` lines, like Hydra's text format, without a worker thread. */
const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
const BARE = /^[\w.:/@+-]+$/
/** A text-format value: bare when it is made of safe characters, else a JSON string. */
function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return BARE.test(s) ? s : JSON.stringify(s)
}

function textStream(out: LineOut): Writable {
  const names = LEVEL_NAMES
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue
        try {
          const { time, level, msg, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>
          const fields = Object.entries(rest).map(([k, v]) => `${k}=${quote(v)}`)
          out.write(
            [`time=${new Date(Number(time)).toISOString()}`, `level=${names[Number(level)] ?? level}`, `msg=${quote(msg ?? '')}`, ...fields].join(' ') + '\n',
          )
        } catch {
          out.write(line + '\n')
        }
      }
      done()
    },
  })
}

/**
 * The process's standard error, with the lines of one turn of the event loop gathered into one
 * write: a busy server makes a write per batch instead of one per line. process.stderr writes
 * synchronously to files and pipes, so nothing is reordered against other writers once the batch
 * is flushed; flushLogs() (log-flush.ts) and process exit write out what is still gathered.
 */
class BatchedStandardError implements LineOut {
  private pending: string[] = []
  private scheduled = false

  write(line: string): boolean {
    this.pending.push(line)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
    return true
  }

  flush(): void {
    this.scheduled = false
    if (this.pending.length === 0) return
    const text = this.pending.join('')
    this.pending = []
    process.stderr.write(text)
  }
}

let stderrDestination: BatchedStandardError | undefined
function standardError(): LineOut {
  if (stderrDestination) return stderrDestination
  const dest = new BatchedStandardError()
  setLogFlush(() => dest.flush())
  process.on('exit', () => dest.flush())
  stderrDestination = dest
  return dest
}

export function createLogger(log: Config['log'], out?: LineOut): Logger {
  const to = out ?? standardError()
  const logger = buildLogger(log, to)
  ;(logger as WithSink)[SINK] = { format: log.format, out: to }
  return logger
}

/** The fields of one access-log line; all of them are safe to write as they are (no redaction). */
export interface AccessEntry {
  listener: string
  request_id: string
  method: string
  path: string
  client_ip: string
  status: number
  duration_ms: number
}

/**
 * A writer of access-log lines for `logger` at info, in the logger's format, that skips pino's
 * redaction and serialisation passes: the fields are a fixed set that never holds a credential
 * (the query string is left out by the caller). Lines look exactly like the logger's own.
 */
export function accessLogWriter(logger: Logger): (entry: AccessEntry) => void {
  const sink = (logger as WithSink)[SINK]
  if (!sink) return (entry) => logger.info(entry, 'request completed')
  const bindings = logger.bindings()
  if (sink.format === 'text') {
    const bound = Object.entries(bindings)
      .map(([k, v]) => ` ${k}=${quote(v)}`)
      .join('')
    return (e) => {
      sink.out.write(
        `time=${new Date().toISOString()} level=info msg="request completed"${bound} listener=${e.listener} request_id=${quote(e.request_id)} method=${quote(e.method)} path=${quote(e.path)} client_ip=${quote(e.client_ip)} status=${e.status} duration_ms=${e.duration_ms}\n`,
      )
    }
  }
  if (sink.format === 'json_pretty') {
    return (e) => sink.out.write(JSON.stringify({ level: 30, time: Date.now(), ...bindings, ...e, msg: 'request completed' }, null, 2) + '\n')
  }
  const bound = Object.entries(bindings)
    .map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join('')
  return (e) => {
    sink.out.write(
      `{"level":30,"time":${Date.now()}${bound},"listener":${JSON.stringify(e.listener)},"request_id":${JSON.stringify(e.request_id)},"method":${JSON.stringify(e.method)},"path":${JSON.stringify(e.path)},"client_ip":${JSON.stringify(e.client_ip)},"status":${e.status},"duration_ms":${e.duration_ms},"msg":"request completed"}\n`,
    )
  }
}

function buildLogger(log: Config['log'], out: LineOut): Logger {
  const options = {
    level: LEVEL[log.level],
    base: undefined,
    redact: log.leak_sensitive_values
      ? []
      : { paths: SENSITIVE.flatMap((k) => [k, `*.${k}`]), censor: log.redaction_text || '[redacted]' },
  }
  if (log.format === 'text') return pino(options, textStream(out))
  if (log.format === 'json_pretty') {
    const pretty = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) out.write(JSON.stringify(JSON.parse(line), null, 2) + '\n')
        done()
      },
    })
    return pino(options, pretty)
  }
  return pino(options, out as LineOut & { write(s: string): boolean })
}
