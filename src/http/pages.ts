// Hydra's fallback pages (shown while urls.login, urls.consent, urls.error, ... are unset) in the
// shared look. Texts follow Hydra's, so a user who searches for them finds Hydra's docs too.
import type { FastifyReply } from 'fastify'
import { html, themedPage, themedPageCsp } from '../ui/page.js'

const MISSING_KEY = 'The request could not be executed because a mandatory configuration key is missing or malformed'

/** A fallback page for an unset configuration key, e.g. ('urls.login', 'login app'). */
export function missingKeyPage(key: string, what: string): string {
  return themedPage({
    title: MISSING_KEY,
    product: 'Configuration needed',
    body: html`<h1>${MISSING_KEY}</h1>
<p>You are seeing this page because configuration key <code>${key}</code> is not set: no ${what} is configured.</p>
<p>If you are an administrator, set <code>${key}</code> to the URL of your app. If you are a user, please contact the administrator.</p>`,
  })
}

/** urls.error's fallback: the error and its description, escaped; nothing from the query becomes a link. */
export function oauthErrorPage(error: string, description: string): string {
  return themedPage({
    title: 'An OAuth 2.0 Error Occurred',
    product: 'Error',
    body: html`<h1>The OAuth2 request resulted in an error.</h1>
<div class="alert error" role="alert"><dl class="facts"><dt>Error</dt><dd>${error}</dd><dt>Description</dt><dd>${description}</dd></dl></div>
<p class="muted">You are seeing this page because configuration key <code>urls.error</code> is not set.</p>`,
  })
}

export const LOGGED_OUT_PAGE = themedPage({
  title: 'You have been logged out',
  product: 'Signed out',
  body: html`<h1>You have been logged out</h1>
<p class="muted">You are seeing this page because configuration key <code>urls.post_logout_redirect</code> is not set.</p>`,
})

export const LOGOUT_FALLBACK_PAGE = themedPage({
  title: 'No logout app is configured',
  product: 'Configuration needed',
  body: html`<h1>No logout app is configured</h1>
<p>You are seeing this page because configuration key <code>urls.logout</code> is not set.</p>`,
})

/** Sends a themed page with the headers every such page carries. */
export function sendPage(reply: FastifyReply, status: number, body: string, csp = themedPageCsp()): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .send(body)
}
