// Server-rendered pages in the shared look (src/ui/theme.ts): every value goes through
// escapeHtml, and each page runs under a Content-Security-Policy that allows no script and only
// the one inline stylesheet, by its hash (CSP Level 2 §4.2.4), so no 'unsafe-inline' is needed.
import { createHash } from 'node:crypto'
import { LOGO_SVG, THEME_CSS } from './theme.js'

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

/** The CSP source that allows the theme's inline stylesheet and nothing else. */
export const THEME_STYLE_SRC = `'sha256-${createHash('sha256').update(THEME_CSS, 'utf8').digest('base64')}'`

/**
 * The policy of a themed page: nothing but the theme's stylesheet, no framing, no <base>.
 * `extra` adds directives a page needs (frame-src for front-channel logout iframes).
 */
export function themedPageCsp(extra: readonly string[] = []): string {
  return ["default-src 'none'", `style-src ${THEME_STYLE_SRC}`, "base-uri 'none'", "frame-ancestors 'none'", ...extra].join('; ')
}

export interface ThemedPage {
  title: string
  body: Html
  /** Where the page belongs, shown beside the logo (e.g. "Sign in"). */
  product?: string
  /** Extra <head> markup (a meta refresh). */
  head?: Html
}

/** A complete HTML document: a centred sheet with the logo above the body. */
export function themedPage(page: ThemedPage): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${page.head}
<title>${page.title}</title>
<style>${raw(THEME_CSS)}</style>
</head>
<body>
<main class="sheet">
<header><span class="brand">${raw(LOGO_SVG)} Orthrus${page.product ? html` <span class="muted">· ${page.product}</span>` : undefined}</span></header>
<div class="card">
${page.body}
</div>
</main>
</body>
</html>
`.text
}
