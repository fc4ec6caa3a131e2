// HTML for the demo login & consent app: every value goes through escapeHtml, and the pages run
// under a Content-Security-Policy that allows no script at all and only our own stylesheet.
import { createHash } from 'node:crypto'

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c)

/** A fragment of markup that is already safe; only `html` and `raw` make one. */
export class Html {
  constructor(readonly text: string) {}
}

export const raw = (text: string): Html => new Html(text)

type Value = string | number | Html | readonly Html[] | undefined | false

/** Tagged template: interpolated strings are escaped, Html fragments are kept as they are. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] ?? ''
  values.forEach((v, i) => {
    if (v instanceof Html) out += v.text
    else if (Array.isArray(v)) out += (v as readonly Html[]).map((h) => h.text).join('')
    else if (v !== undefined && v !== false) out += escapeHtml(String(v))
    out += strings[i + 1] ?? ''
  })
  return new Html(out)
}

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
.demo{background:#fff4ce;border:1px solid #e0b400;padding:.5rem .75rem;border-radius:4px;font-size:.9rem}
.error{background:#fde7e9;border:1px solid #d13438;padding:.5rem .75rem;border-radius:4px}
label{display:block;margin:.75rem 0}
input[type=text],input[type=password]{display:block;width:100%;padding:.4rem;box-sizing:border-box}
fieldset{margin:1rem 0}
button{padding:.4rem 1rem;margin-right:.5rem}
code{background:#eee;padding:0 .2rem}
`

// The inline stylesheet is allowed by its hash, so the policy needs no 'unsafe-inline'.
const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64')

// No form-action directive on purpose: browsers apply it to the redirects that follow a form
// post, and the flow ends with a redirect to the client's (other-origin) redirect_uri.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ')

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
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Orthrus demo</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<p class="demo"><strong>Demo login &amp; consent app</strong> built into <code>orthrus serve --dev</code>.
It accepts any username with the password <code>demo</code>. Never use it in production:
set <code>urls.login</code> and <code>urls.consent</code> to your own app.</p>
${body}
</body>
</html>
`.text
}
