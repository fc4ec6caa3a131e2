// Which request field an admin API error is about. The admin API names it in the hint:
// "Field redirect_uris contains ...", "Field 'jwk' must ...", "Fields jwks and jwks_uri ...".
export function fieldOf(message: string): string | undefined {
  return /\bFields? '?([a-z_]+)'?/.exec(message)?.[1] ?? /\b(redirect_uris|post_logout_redirect_uris|jwks_uri|jwks|client_secret)\b/.exec(message)?.[1]
}
