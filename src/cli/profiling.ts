// `profiling: cpu | mem` (PROFILING in the environment): Hydra starts Go's pkg/profile for the
// whole run and writes the profile into a fresh temporary directory ($TMPDIR/profile<random>/)
// when the process stops. The Node equivalent, through the inspector of this very process:
// - cpu: V8's CPU profiler, written as cpu.cpuprofile (Chrome DevTools, speedscope, `node --cpu-prof` format);
// - mem: V8's sampling heap profiler (allocations still live, sampled every 4 KiB as Go's
//   MemProfileRate in pkg/profile), written as mem.heapprofile (Chrome DevTools' Memory tab).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type ProfileKind = 'cpu' | 'mem'

export interface RunningProfile {
  /** Where the profile will be written. */
  readonly path: string
  /** Stops profiling and writes the file; resolves to its path. */
  stop(): Promise<string>
}

const FILES: Readonly<Record<ProfileKind, string>> = { cpu: 'cpu.cpuprofile', mem: 'mem.heapprofile' }
const SAMPLING_INTERVAL_BYTES = 4096

function post<T = unknown>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T)))
  })
}

export async function startProfiling(kind: ProfileKind, dir?: string): Promise<RunningProfile> {
  const path = join(dir ?? mkdtempSync(join(tmpdir(), 'profile')), FILES[kind])
  const session = new Session()
  session.connect()
  if (kind === 'cpu') {
    await post(session, 'Profiler.enable')
    await post(session, 'Profiler.start')
  } else {
    await post(session, 'HeapProfiler.enable')
    await post(session, 'HeapProfiler.startSampling', { samplingInterval: SAMPLING_INTERVAL_BYTES })
  }
  let stopped: Promise<string> | undefined
  return {
    path,
    stop() {
      stopped ??= (async () => {
        const { profile } =
          kind === 'cpu'
            ? await post<{ profile: unknown }>(session, 'Profiler.stop')
            : await post<{ profile: unknown }>(session, 'HeapProfiler.stopSampling')
        session.disconnect()
        writeFileSync(path, JSON.stringify(profile))
        return path
      })()
      return stopped
    },
  }
}
