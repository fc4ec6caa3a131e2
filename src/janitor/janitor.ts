// The janitor: removes expired tokens, stale login/consent/logout requests and expired trust
// relationships in small batches, so it can run beside live servers (each batch is one short
// select and one delete by primary key; no transaction spans batches).
import type { JanitorKind, JanitorStep, JanitorStore, PurgeRule, StepResult } from './model.js'

export interface JanitorPlanOptions {
  kinds: readonly JanitorKind[]
  now: Date
  /** --keep-if-younger in ms: rows younger than this are kept whatever their state. */
  keepIfYounger: number
  /**
   * Lifespans given on the command line (ms, > 0). As in Hydra, every row requested longer ago
   * than the lifespan goes, so it must cover the longest per-client lifespan in use.
   */
  accessLifespan?: number
  refreshLifespan?: number
  consentRequestLifespan?: number
  /** The configured ttl.* values (ms; refreshToken -1 means refresh tokens never expire). */
  ttl: { accessToken: number; refreshToken: number; authCode: number; loginConsentRequest: number }
}

const earlier = (a: Date, b: Date): Date => (a.getTime() <= b.getTime() ? a : b)
const before = (d: Date, ms: number): Date => new Date(d.getTime() - ms)

/** What each table is swept for, in order. */
export function planJanitor(o: JanitorPlanOptions): JanitorStep[] {
  const notAfter = before(o.now, Math.max(0, o.keepIfYounger))
  /** The lifespan rule: explicit flags apply to every row, configured ones to rows without expiry. */
  const lifespan = (explicit: number | undefined, configured: number): PurgeRule => {
    if (explicit !== undefined && explicit > 0) return { requestedBefore: earlier(notAfter, before(o.now, explicit)) }
    if (configured > 0) return { undatedRequestedBefore: earlier(notAfter, before(o.now, configured)) }
    return {}
  }
  const steps: JanitorStep[] = []
  if (o.kinds.includes('tokens')) {
    steps.push(
      {
        kind: 'tokens',
        target: 'access',
        label: 'access tokens',
        // An inactive access token answers nothing but "inactive", which a missing row answers too.
        rule: { expiredBefore: notAfter, inactiveRequestedBefore: notAfter, ...lifespan(o.accessLifespan, o.ttl.accessToken) },
      },
      {
        kind: 'tokens',
        target: 'refresh',
        label: 'refresh tokens',
        // A used or revoked refresh token stays until it expires: presenting it again is how reuse
        // is detected (and the grant revoked). Without an expiry it goes once older than the cut-off.
        rule: { expiredBefore: notAfter, ...lifespan(o.refreshLifespan, o.ttl.refreshToken), inactiveUndatedRequestedBefore: notAfter },
      },
      {
        kind: 'tokens',
        target: 'code',
        label: 'authorization codes',
        // Used codes stay until they expire, for the same reason.
        rule: { expiredBefore: notAfter, ...lifespan(undefined, o.ttl.authCode) },
      },
      { kind: 'tokens', target: 'jti', label: 'used assertion jtis', rule: { expiredBefore: notAfter } },
      { kind: 'tokens', target: 'dpop-jti', label: 'used DPoP proof jtis', rule: { expiredBefore: notAfter } },
    )
  }
  if (o.kinds.includes('requests')) {
    const consent = o.consentRequestLifespan !== undefined && o.consentRequestLifespan > 0 ? o.consentRequestLifespan : o.ttl.loginConsentRequest
    steps.push(
      {
        kind: 'requests',
        target: 'flow',
        label: 'login and consent requests',
        // Flows that ended in a used consent are remembered consents and stay.
        rule: { unhandledRequestedBefore: earlier(notAfter, before(o.now, consent)) },
      },
      { kind: 'requests', target: 'logout', label: 'logout requests', rule: { expiredBefore: notAfter } },
      { kind: 'requests', target: 'device', label: 'device authorization codes', rule: { expiredBefore: notAfter } },
      { kind: 'requests', target: 'device-challenge', label: 'device verifications', rule: { expiredBefore: notAfter } },
      { kind: 'requests', target: 'par', label: 'pushed authorization requests', rule: { expiredBefore: notAfter } },
    )
  }
  if (o.kinds.includes('grants')) {
    steps.push({ kind: 'grants', target: 'trust', label: 'trust relationships', rule: { expiredBefore: notAfter } })
  }
  return steps
}

export interface JanitorRunOptions {
  /** At most this many rows per kind (tokens, requests, grants). */
  limit: number
  batchSize: number
  /** Called after every batch with the step's running total. */
  onProgress?: (step: JanitorStep, removed: number) => void
}

export async function runJanitor(store: JanitorStore, steps: readonly JanitorStep[], o: JanitorRunOptions): Promise<StepResult[]> {
  if (!(o.limit > 0) || !(o.batchSize > 0)) throw new Error('limit and batch size must be greater than 0')
  const left = new Map<JanitorKind, number>()
  const results: StepResult[] = []
  for (const step of steps) {
    const remaining = left.get(step.kind) ?? o.limit
    if (!(await store.hasTarget(step.target))) {
      results.push({ step, removed: 0, skipped: 'its table does not exist in this database' })
      continue
    }
    let removed = 0
    let after: string | undefined
    while (removed < remaining) {
      const batch = await store.deleteBatch(step.target, step.rule, Math.min(o.batchSize, remaining - removed), after)
      removed += batch.deleted
      if (batch.deleted > 0) o.onProgress?.(step, removed)
      if (batch.last === undefined) break
      after = batch.last
      // Let whatever shares this process (a server, in tests) run between batches.
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    left.set(step.kind, remaining - removed)
    results.push({ step, removed })
  }
  return results
}
