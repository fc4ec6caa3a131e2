// What an ID token (and the userinfo endpoint) needs to know about the end-user's
// authentication, kept with the tokens of a code grant so that a refresh can issue a new ID
// token and /userinfo can answer (OpenID Connect Core §12.2, §5.3).
export interface OidcSession {
  /** Consent `session.id_token`: extra claims of the ID token and of /userinfo. */
  idTokenExtra: Record<string, unknown>
  /** Seconds since the epoch: when the end-user authenticated (`auth_time`). */
  authTime: number
  /** Seconds since the epoch: when the authorization request arrived (`rat`). */
  requestedAt: number
  acr: string
  amr: string[]
  /** The login session id (`sid`); '' when none. */
  sid: string
  /** Set by the login app for pairwise subjects; '' otherwise. */
  forcedSubjectIdentifier: string
}

/** The part of an authorization code's session that outlives the code. */
export function oidcSessionOf(s: OidcSession): OidcSession {
  return {
    idTokenExtra: s.idTokenExtra,
    authTime: s.authTime,
    requestedAt: s.requestedAt,
    acr: s.acr,
    amr: [...s.amr],
    sid: s.sid,
    forcedSubjectIdentifier: s.forcedSubjectIdentifier,
  }
}
