// HTML for the demo login & consent app, in the shared look (src/ui/page.ts): every value goes
// through the escaping `html` template, and the pages allow no script at all and only the
// theme's stylesheet.
import { html, themedPage, themedPageCsp, type Html } from '../ui/page.js'

// No form-action directive on purpose: browsers apply it to the redirects that follow a form
// post, and the flow ends with a redirect to the client's (other-origin) redirect_uri.
export const CONTENT_SECURITY_POLICY = themedPageCsp()

/** Security headers for every page of the app. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // The URL carries the login or consent challenge: never send it to another site.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

export function layout(title: string, body: Html): string {
  return themedPage({
    title: `${title} · Orthrus demo`,
    product: title,
    body: html`<div class="alert warn demo"><p><strong>Demo login &amp; consent app</strong> built into <code>orthrus serve --dev</code>.
It accepts any username with the password <code>demo</code>. Never use it in production:
set <code>urls.login</code> and <code>urls.consent</code> to your own app.</p></div>
${body}`,
  })
}
