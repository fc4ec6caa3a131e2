// What the finished login must satisfy (fosite's ValidatePrompt, OpenID Connect Core §3.1.2.1):
// checked when the login verifier comes back, against the time the request was made.
import { loginRequired } from '../oauth2/authorize-errors.js'
import type { Flow } from './model.js'

export function checkLoginAgainstRequest(flow: Flow, authTime: Date): void {
  const { prompt, maxAge } = flow.request
  const requestedAt = flow.requestedAt.getTime()
  const at = authTime.getTime()
  if (maxAge !== null && maxAge > 0 && at + maxAge * 1000 < requestedAt) {
    throw loginRequired('Failed to validate OpenID Connect request because authentication time does not satisfy max_age time.')
  }
  if (prompt.includes('none') && at > requestedAt) {
    throw loginRequired(
      "Failed to validate OpenID Connect request because prompt was set to 'none' but auth_time happened after the authorization request was registered, indicating that the user was logged in during this request which is not allowed.",
    )
  }
  if (prompt.includes('login') && at < requestedAt) {
    throw loginRequired(
      "Failed to validate OpenID Connect request because prompt was set to 'login' but auth_time happened before the authorization request was registered, indicating that the user was not re-authenticated which is forbidden.",
    )
  }
  const hinted = flow.oidcContext.id_token_hint_claims?.sub
  if (typeof hinted === 'string' && hinted !== flow.subject && hinted !== flow.forcedSubjectIdentifier) {
    throw loginRequired(
      "Failed to validate OpenID Connect request because the subject from provided id token from id_token_hint does not match the current session's subject.",
    )
  }
}
