// Subject identifier types (OpenID Connect Core §8): `public` sends the login subject as is,
// `pairwise` a value per sector so that clients of different sectors cannot correlate users.
import { createHash } from 'node:crypto'
import type { Client } from '../client/model.js'
import { invalidRequest } from '../oauth2/errors.js'

export type SubjectClient = Pick<Client, 'subject_type' | 'sector_identifier_uri' | 'redirect_uris'>

/**
 * The host part of a URL exactly as written (Go's url.URL.Host): an explicit default port and
 * the letter case are kept, which WHATWG URL parsing would normalise away, and Hydra hashes the
 * raw value.
 */
export function rawHost(url: string): string {
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url)?.[1] ?? ''
  const at = authority.lastIndexOf('@')
  return at < 0 ? authority : authority.slice(at + 1)
}

/**
 * OpenID Connect Core §8.1: sub = SHA-256(sector_identifier || local_account_id || salt), with
 * the sector identifier the host of sector_identifier_uri, or of the only redirect URI; hex as
 * Hydra encodes it.
 */
export function pairwiseSubject(client: SubjectClient, subject: string, salt: string): string {
  let source = client.sector_identifier_uri
  if (source === '') {
    // §8.1: without a sector_identifier_uri, several redirect hosts would make several sectors.
    if (client.redirect_uris.length !== 1) {
      throw invalidRequest('A pairwise client needs a sector_identifier_uri or exactly one redirect URI.')
    }
    source = client.redirect_uris[0] ?? ''
  }
  return createHash('sha256').update(`${rawHost(source)}${subject}${salt}`, 'utf8').digest('hex')
}

/**
 * The `sub` a client sees in ID tokens and at /userinfo. Like Hydra, a forced subject identifier
 * (set by the login app) is used only for pairwise clients; access tokens keep the real subject.
 */
export function subjectFor(client: SubjectClient, subject: string, forced: string, salt: string | undefined): string {
  if (client.subject_type !== 'pairwise') return subject
  if (forced !== '') return forced
  if (salt === undefined) throw invalidRequest('Pairwise subject identifiers are not enabled on this server.')
  return pairwiseSubject(client, subject, salt)
}
