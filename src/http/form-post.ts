// The page of the OAuth 2.0 Form Post Response Mode (§2, §5): the browser posts the authorization
// response to the client's redirect URI at once. The only script is allowed by its hash in the
// Content-Security-Policy, so no other inline code can run on a page that carries tokens; without
// JavaScript a submit button does the same.
import { createHash } from 'node:crypto'
import { escapeHtml } from '../ui/page.js'


const SUBMIT_SCRIPT = 'document.forms[0].submit()'
const SCRIPT_HASH = `sha256-${createHash('sha256').update(SUBMIT_SCRIPT, 'utf8').digest('base64')}`

/** CSP Level 2 §4.2.4 (hash-source): the page's own script runs, nothing else does. */
export const FORM_POST_CSP = `default-src 'none'; script-src '${SCRIPT_HASH}'; style-src 'none'; base-uri 'none'; frame-ancestors 'none'`

export function formPostPage(action: string, params: ReadonlyArray<readonly [string, string]>): string {
  const inputs = params
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}"/>`)
    .join('\n      ')
  return `<!DOCTYPE html>
<html>
  <head><title>Submit This Form</title></head>
  <body>
    <form method="post" action="${escapeHtml(action)}">
      ${inputs}
      <noscript><button type="submit">Continue</button></noscript>
    </form>
    <script>${SUBMIT_SCRIPT}</script>
  </body>
</html>
`
}
