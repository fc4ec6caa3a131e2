// What the janitor removes, as plain values: the store (persistence/sql/janitor-store.ts) turns
// each target and its rule into one bounded, batched delete.

/** The three groups of the CLI flags --tokens, --requests and --grants. */
export type JanitorKind = 'tokens' | 'requests' | 'grants'

/**
 * One table the janitor sweeps.
 * - access, refresh, code: issued tokens and authorization codes
 * - jti: used client-assertion jtis; dpop-jti: presented DPoP proofs (RFC 9449)
 * - flow: login/consent flows; logout: logout requests; device: device authorization codes;
 *   device-challenge: browser device verifications; par: pushed authorization requests (RFC 9126)
 * - trust: RFC 7523 trust relationships
 */
export type JanitorTarget = 'access' | 'refresh' | 'code' | 'jti' | 'dpop-jti' | 'flow' | 'logout' | 'device' | 'device-challenge' | 'par' | 'trust'

/** When a row of a target counts as garbage. Absent cut-offs do not apply. */
export interface PurgeRule {
  /** Rows whose expires_at is before this instant. */
  expiredBefore?: Date
  /** Every row requested before this instant (a lifespan given on the command line, as Hydra). */
  requestedBefore?: Date
  /** Rows without an expiry requested before this instant (the configured lifespan). */
  undatedRequestedBefore?: Date
  /** Inactive (revoked or used) rows requested before this instant. */
  inactiveRequestedBefore?: Date
  /** Inactive rows without an expiry requested before this instant. */
  inactiveUndatedRequestedBefore?: Date
  /** Flows only: unfinished or rejected flows requested before this instant. */
  unhandledRequestedBefore?: Date
}

export interface JanitorStep {
  kind: JanitorKind
  target: JanitorTarget
  /** Human name for progress and the summary, e.g. "access tokens". */
  label: string
  rule: PurgeRule
}

export interface StepResult {
  step: JanitorStep
  /** Rows removed; 0 when skipped. */
  removed: number
  /** Why nothing was attempted (e.g. the table does not exist in this database). */
  skipped?: string
}

export interface JanitorStore {
  /** Whether the target's table exists (a later migration may add it). */
  hasTarget(target: JanitorTarget): Promise<boolean>
  /**
   * Selects up to `batchSize` matching rows after `after` (keyset on the primary key), deletes
   * them by key re-checking the rule, and returns how many went and the key to continue after;
   * `last` is undefined once fewer than `batchSize` rows matched (the table is done). Each call
   * is two short autocommit statements.
   */
  deleteBatch(
    target: JanitorTarget,
    rule: PurgeRule,
    batchSize: number,
    after: string | undefined,
  ): Promise<{ deleted: number; last: string | undefined }>
}
