// The one stylesheet of everything Orthrus shows a person: the admin console (bundled into its
// CSS file by console/build.mjs), the --dev login & consent pages, the fallback and error pages
// and the CLI's `perform` pages (inlined, allowed by its hash in their Content-Security-Policy).
// Plain CSS with custom properties: no preprocessor, no web fonts, no images, so it works under
// `default-src 'none'`. Colours keep a contrast ratio of at least 4.5:1 (WCAG 2.1 AA) for text
// in both the light and the dark scheme.
export const THEME_CSS = `
:root{color-scheme:light dark;--bg:#f5f6f8;--surface:#fff;--surface-2:#f0f1f4;--text:#1b1e24;--muted:#545b66;
--border:#d5d9e0;--accent:#5234b8;--accent-hover:#41279a;--on-accent:#fff;--focus:#7c5cf0;
--danger:#b3261e;--danger-bg:#fdecea;--danger-border:#f2b8b5;--ok:#17663a;--ok-bg:#e6f4ea;--ok-border:#a8d5b5;
--warn-bg:#fff6d6;--warn-border:#e7c65a;--info-bg:#eeeafc;--info-border:#c7bcf5;--code-bg:#eef0f4;
--radius:8px;--shadow:0 1px 2px rgba(16,24,40,.06),0 1px 3px rgba(16,24,40,.1);
--font:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#121317;--surface:#1c1e24;--surface-2:#24272e;--text:#e8e9ed;
--muted:#a8adb8;--border:#363a44;--accent:#a996ff;--accent-hover:#c1b3ff;--on-accent:#17132b;--focus:#c1b3ff;
--danger:#ffb4ab;--danger-bg:#3b1614;--danger-border:#7a2a24;--ok:#8fd5a6;--ok-bg:#12301f;--ok-border:#2f6b45;
--warn-bg:#3a3012;--warn-border:#7a6420;--info-bg:#262042;--info-border:#4b3f8a;--code-bg:#2a2d35;
--shadow:0 1px 3px rgba(0,0,0,.5)}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 var(--font)}
h1,h2,h3{line-height:1.25;margin:0 0 .75rem}
h1{font-size:1.5rem}h2{font-size:1.2rem}h3{font-size:1rem}
p{margin:.5rem 0 1rem}
a{color:var(--accent)}a:hover{color:var(--accent-hover)}
code,pre,kbd,.mono{font-family:var(--mono);font-size:.875em}
code{background:var(--code-bg);padding:.1em .3em;border-radius:4px;overflow-wrap:anywhere}
pre{background:var(--code-bg);padding:.75rem;border-radius:var(--radius);overflow:auto;white-space:pre-wrap;word-break:break-all;margin:.5rem 0 1rem}
pre code{background:none;padding:0}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.brand{display:flex;align-items:center;gap:.5rem;font-weight:650;font-size:1.05rem;color:var(--text);text-decoration:none}
.brand svg{flex:none}
.muted{color:var(--muted)}
.card{background:var(--surface);border:1px solid var(--border);border-radius:var(--radius);box-shadow:var(--shadow);padding:1.25rem;margin:0 0 1rem}
.sheet{max-width:34rem;margin:0 auto;padding:2rem 1rem}
.sheet>header{margin:0 0 1.25rem}
.alert{border:1px solid var(--info-border);background:var(--info-bg);border-radius:var(--radius);padding:.6rem .8rem;margin:0 0 1rem}
.alert.error{border-color:var(--danger-border);background:var(--danger-bg)}
.alert.warn{border-color:var(--warn-border);background:var(--warn-bg)}
.alert.success{border-color:var(--ok-border);background:var(--ok-bg)}
.alert>:last-child{margin-bottom:0}
label{display:block;font-weight:550;margin:0 0 .25rem}
.field{margin:0 0 1rem}
.hint{display:block;color:var(--muted);font-size:.85rem;font-weight:400;margin:.2rem 0 0}
.field-error{display:block;color:var(--danger);font-size:.875rem;font-weight:550;margin:.3rem 0 0}
input,select,textarea{font:inherit;color:var(--text);background:var(--surface);border:1px solid var(--border);border-radius:6px;padding:.45rem .6rem;width:100%;max-width:100%}
textarea{min-height:4.5rem;resize:vertical;font-family:var(--mono);font-size:.875rem}
input[type=checkbox],input[type=radio]{width:auto;accent-color:var(--accent);margin:0 .4rem 0 0}
input[aria-invalid=true],textarea[aria-invalid=true],select[aria-invalid=true]{border-color:var(--danger)}
.check{display:flex;align-items:center;font-weight:400;margin:.35rem 0}
fieldset{border:1px solid var(--border);border-radius:var(--radius);padding:.5rem 1rem .75rem;margin:0 0 1rem}
legend{font-weight:600;padding:0 .3rem}
button,.button{display:inline-flex;align-items:center;justify-content:center;gap:.35rem;font:inherit;font-weight:550;line-height:1.2;
padding:.5rem 1rem;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--on-accent);cursor:pointer;text-decoration:none;min-height:2.25rem}
button:hover,.button:hover{background:var(--accent-hover);border-color:var(--accent-hover);color:var(--on-accent)}
button.secondary,.button.secondary{background:var(--surface);color:var(--text);border-color:var(--border)}
button.secondary:hover,.button.secondary:hover{background:var(--surface-2);color:var(--text)}
button.danger,.button.danger{background:var(--danger);border-color:var(--danger);color:var(--surface)}
button.danger:hover{filter:brightness(.92)}
button.small,.button.small{padding:.25rem .6rem;min-height:1.9rem;font-size:.875rem}
button:disabled{opacity:.55;cursor:not-allowed}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0 0}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:.55rem .6rem;border-bottom:1px solid var(--border);vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);font-weight:600}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:.1rem .45rem;border-radius:999px;background:var(--surface-2);border:1px solid var(--border);margin:0 .25rem .2rem 0;white-space:nowrap}
.badge.ok{background:var(--ok-bg);border-color:var(--ok-border);color:var(--ok)}
.badge.bad{background:var(--danger-bg);border-color:var(--danger-border);color:var(--danger)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:600px){body{font-size:16px}.card{padding:1rem}dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.4rem}}
`

/** The logo mark: two heads, one body (Orthrus). Presentation attributes only, no style. */
export const LOGO_SVG =
  '<svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true" focusable="false">' +
  '<rect width="32" height="32" rx="8" fill="#5234b8"/>' +
  '<path d="M7 21l3-11 4 5 2-6 2 6 4-5 3 11z" fill="#fff"/></svg>'
