import { Writable } from 'node:stream'
import { pino, type Logger, type LevelWithSilent } from 'pino'
import type { Config } from './config/types.js'

export type { Logger }

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
function textStream(out: NodeJS.WritableStream): Writable {
  const names: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
  const quote = (v: unknown): string => {
    const s = typeof v === 'string' ? v : JSON.stringify(v)
    return /^[\w.:/@+-]+$/.test(s) ? s : JSON.stringify(s)
  }
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

export function createLogger(log: Config['log'], out: NodeJS.WritableStream = process.stderr): Logger {
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
  return pino(options, out as NodeJS.WritableStream & { write(s: string): boolean })
}
