// What the logout flow needs from storage (OpenID Connect RP-Initiated Logout 1.0 as Hydra
// runs it). The SQL implementation lives in persistence/sql/logout-store.ts.

/** One logout request (hydra_oauth2_logout_request). */
export interface LogoutRequest {
  /** The challenge id; the verifier is derived from it by the flow codec. */
  id: string
  subject: string
  /** The login session to end. */
  sid: string
  /** The relying party that asked, when id_token_hint or client_id named one. */
  clientId: string | null
  requestUrl: string
  /** Where the browser goes once logged out: post_logout_redirect_uri with state, or urls.post_logout_redirect. */
  redirectUrl: string
  /** Binds the verifier to the browser that started the logout. */
  csrf: string
  rpInitiated: boolean
  accepted: boolean
  rejected: boolean
  wasUsed: boolean
  requestedAt: Date
  expiresAt: Date
}

export interface LogoutStore {
  createLogoutRequest(r: LogoutRequest): Promise<void>
  getLogoutRequest(id: string): Promise<LogoutRequest | undefined>
  /** Accepts or rejects an undecided request (conditional UPDATE); false when it was decided already. */
  decideLogoutRequest(id: string, accepted: boolean): Promise<boolean>
  /** Marks an accepted, unused request used; false when it was not both (the verifier is single-use). */
  consumeLogoutRequest(id: string): Promise<boolean>
  /**
   * Clients that received a consent within the login session `sid`: the relying parties OpenID
   * Connect Front- and Back-Channel Logout notify.
   */
  clientsOfSession(sid: string): Promise<string[]>
}
