/**
 * `path` appended to the URL's own path, as Hydra's urlx.AppendPaths does: a base path in the
 * configured URL (e.g. `https://example.com/auth/`) is kept; query and fragment are dropped.
 */
export function appendPath(base: string, path: string): string {
  const url = new URL(base)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`
  url.search = ''
  url.hash = ''
  return url.href
}
