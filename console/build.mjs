// Builds the admin console into dist/console/ (run by `npm run build` after tsc): one ES module
// bundle (Preact + the app), one stylesheet (the shared theme from dist/ui/theme.js + console.css)
// and an SVG icon, each named by a hash of its content, and index.html that loads them. No inline
// script or style anywhere, so the console runs under a CSP of 'self' only (src/http/console-routes.ts).
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'console')
const assets = join(out, 'assets')
const { THEME_CSS, LOGO_SVG } = await import(join(root, 'dist', 'ui', 'theme.js'))

rmSync(out, { recursive: true, force: true })
mkdirSync(assets, { recursive: true })

const hashed = (name, ext, body) => `${name}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${ext}`
const files = []
const emit = (name, ext, body) => {
  const file = hashed(name, ext, body)
  writeFileSync(join(assets, file), body)
  files.push({ file, body })
  return `/console/assets/${file}`
}

const js = await esbuild.build({
  entryPoints: [join(root, 'console', 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  write: false,
  logLevel: 'warning',
})
const script = emit('app', 'js', js.outputFiles[0].contents)

const css = await esbuild.transform(THEME_CSS + readFileSync(join(root, 'console', 'console.css'), 'utf8'), { loader: 'css', minify: true, target: ['chrome111', 'firefox111', 'safari16.4'] })
const stylesheet = emit('console', 'css', css.code)
const icon = emit('icon', 'svg', LOGO_SVG.replace('<svg ', '<svg xmlns="http://www.w3.org/2000/svg" '))

writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Orthrus admin console</title>
<link rel="icon" type="image/svg+xml" href="${icon}">
<link rel="stylesheet" href="${stylesheet}">
<script type="module" src="${script}"></script>
</head>
<body>
<div id="app"><noscript><p class="sheet">The Orthrus admin console needs JavaScript. The admin API and the <code>orthrus</code> CLI work without it.</p></noscript></div>
</body>
</html>
`,
)

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`
for (const { file, body } of files) {
  if (file.endsWith('.svg')) continue
  process.stdout.write(`console: ${file} ${kib(body.length)} (gzip ${kib(gzipSync(body).length)})\n`)
}
