// The files through which the benchmark (control.ts) and the processes it instruments
// (instrument.ts) talk: one command file, written before a SIGUSR2, and one reply file per process.

export interface Command {
  seq: number
  op: 'count' | 'profile-start' | 'profile-stop'
  /** profile-stop: where to write the profile; `{pid}` is replaced by the process id. */
  file?: string
}

export interface Reply {
  seq: number
  roundTrips: number
  /** HTTP requests the process has started serving. */
  requests: number
  file?: string
  error?: string
}

export const COMMAND_FILE = 'command.json'
export const replyFile = (pid: number): string => `reply-${pid}.json`
