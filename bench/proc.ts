// What the kernel says about the processes under test (Linux /proc): CPU time and resident
// memory of a process and its descendants (a cluster's primary and workers), and of a database
// server's processes. Elsewhere every reading is undefined and the report says n/a.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'

/** Clock ticks per second of the utime/stime fields (getconf CLK_TCK; 100 nearly everywhere). */
const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

interface Stat {
  ppid: number
  /** utime + stime + cutime + cstime, in clock ticks: the process's own CPU and that of its reaped children. */
  ticks: number
}

/** proc(5): fields after the command name, which may itself hold spaces and parentheses. */
function stat(pid: number): Stat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const n = (field: number): number => Number(f[field - 3] ?? 0)
  return { ppid: n(4), ticks: n(14) + n(15) + n(16) + n(17) }
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
  } catch {
    return []
  }
}

/** `root` and every process below it (cluster workers are children of the primary). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>()
  for (const pid of allPids()) {
    const s = stat(pid)
    if (!s) continue
    parents.set(s.ppid, [...(parents.get(s.ppid) ?? []), pid])
  }
  const tree: number[] = []
  const walk = (pid: number): void => {
    tree.push(pid)
    for (const child of parents.get(pid) ?? []) walk(child)
  }
  if (stat(root)) walk(root)
  return tree
}

/**
 * CPU seconds spent so far by these processes, all threads, plus their reaped children. Read
 * before and after a scenario: a child that exits in between moves its time into its parent's
 * cutime/cstime, so nothing is lost as long as the parent is in the list.
 */
export function cpuSeconds(pids: readonly number[]): number | undefined {
  let ticks = 0
  let seen = false
  for (const pid of pids) {
    const s = stat(pid)
    if (!s) continue
    seen = true
    ticks += s.ticks
  }
  return seen ? ticks / TICKS_PER_SECOND : undefined
}

/** The processes of a database server on this machine, by command name (postgres, mariadbd). */
export function serverPids(names: readonly string[]): number[] {
  return allPids().filter((pid) => {
    try {
      return names.includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())
    } catch {
      return false
    }
  })
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match?.[1] === undefined ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}

const MB = 1_000_000

/** Resident memory of these processes together, in MB (10^6 bytes); undefined when unreadable. */
export function rssMB(pids: readonly number[]): number | undefined {
  const kib = pids.map((p) => statusKiB(p, 'VmRSS'))
  return kib.some((k) => k !== undefined) ? (kib.reduce<number>((sum, k) => sum + (k ?? 0), 0) * 1024) / MB : undefined
}

/**
 * The peak resident memory of a group of processes during one scenario, in MB: each process's
 * kernel high-water mark (VmHWM, reset through clear_refs where allowed) added up, or frequent
 * samples of their summed VmRSS where the mark cannot be reset, whichever is higher.
 */
export class PeakRss {
  private sampled = 0
  private hwmReset = false
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly pids: readonly number[]) {}

  start(): void {
    this.hwmReset = this.pids.length > 0
    for (const pid of this.pids) {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5')
      } catch {
        // Not permitted or not Linux: the mark would include earlier scenarios, so only samples count.
        this.hwmReset = false
      }
    }
    const sample = (): void => void (this.sampled = Math.max(this.sampled, rssMB(this.pids) ?? 0))
    sample()
    this.timer = setInterval(sample, 50)
  }

  stop(): number | undefined {
    clearInterval(this.timer)
    const hwm = this.hwmReset ? (this.pids.reduce((sum, p) => sum + (statusKiB(p, 'VmHWM') ?? 0), 0) * 1024) / MB : 0
    const peak = Math.max(this.sampled, hwm)
    return peak === 0 ? undefined : peak
  }
}
