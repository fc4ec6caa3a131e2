// Which scopes and audiences a client may be granted (Hydra's `strategies.scope` and fosite's
// ExactAudienceMatchingStrategy).
import { invalidRequest, invalidScope } from './errors.js'

/** True when `needle` is allowed by one of the client's scopes. */
export type ScopeMatcher = (allowed: readonly string[], needle: string) => boolean

export const exactScopeMatch: ScopeMatcher = (allowed, needle) => allowed.includes(needle)

/**
 * fosite's WildcardScopeStrategy: scopes are dot-separated; `*` stands for one non-empty part,
 * and a trailing `*` also for any deeper path. So `foo.*` allows `foo.bar` and `foo.bar.baz`,
 * but neither `foo` nor `foo.`; a scope without `*` allows only itself.
 */
export const wildcardScopeMatch: ScopeMatcher = (allowed, needle) => {
  const wanted = needle.split('.')
  return allowed.some((pattern) => {
    const parts = pattern.split('.')
    if (parts.length > wanted.length) return false
    return parts.every((part, i) => {
      // A shorter pattern only reaches deeper scopes through a trailing `*`.
      if (i === parts.length - 1 && parts.length !== wanted.length && part !== '*') return false
      const given = wanted[i] ?? ''
      return part === '*' ? given.length > 0 : part === given
    })
  })
}

export function scopeMatcher(strategy: 'exact' | 'wildcard'): ScopeMatcher {
  return strategy === 'exact' ? exactScopeMatch : wildcardScopeMatch
}

/** RFC 6749 §3.3: a space-delimited list; empty entries (double spaces) are dropped. */
export function splitScope(scope: string | undefined): string[] {
  if (scope === undefined) return []
  return [...new Set(scope.split(' ').filter((s) => s.length > 0))]
}

/**
 * RFC 8693 §2.1 sends several audiences as repeated parameters, RFC 6749 forbids repeats:
 * like fosite, a repeated `audience` is taken value by value, a single one split on spaces.
 */
export function splitAudience(audience: string | readonly string[] | undefined): string[] {
  if (audience === undefined) return []
  const values = typeof audience === 'string' ? audience.split(' ') : audience
  return [...new Set(values.filter((a) => a.length > 0))]
}

export interface ScopePolicy {
  matcher: ScopeMatcher
  /** oauth2.client_credentials.default_grant_allowed_scope: an empty request gets every client scope. */
  grantAllByDefault: boolean
}

/** The scopes to grant for a request; throws invalid_scope for one the client may not have. */
export function grantScopes(clientScope: string, requested: readonly string[], policy: ScopePolicy): string[] {
  const allowed = splitScope(clientScope)
  for (const scope of requested) {
    if (!policy.matcher(allowed, scope)) {
      throw invalidScope(`The OAuth 2.0 Client is not allowed to request scope '${scope}'.`)
    }
  }
  if (requested.length === 0 && policy.grantAllByDefault) return allowed
  return [...requested]
}

/** True when every required scope is covered by the granted ones (introspection's `scope`). */
export function hasScopes(granted: readonly string[], required: readonly string[], matcher: ScopeMatcher): boolean {
  return required.every((scope) => matcher(granted, scope))
}

/**
 * fosite's ExactAudienceMatchingStrategy: every requested audience must be one of the client's,
 * compared as plain strings (audiences need not be URLs).
 */
export function grantAudience(clientAudience: readonly string[], requested: readonly string[]): string[] {
  for (const audience of requested) {
    if (!clientAudience.includes(audience)) {
      throw invalidRequest(`Requested audience "${audience}" has not been whitelisted by the OAuth 2.0 Client.`)
    }
  }
  return [...requested]
}
