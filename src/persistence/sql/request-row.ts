// The columns Hydra's token and code tables share: who asked for what, as one request. Lists
// are '|'-joined and the request form URL-encoded, as Hydra stores them.
import { toBool, toDate } from '../db.js'
import type { Selectable } from 'kysely'
import type { OAuth2TokenTable } from '../schema.js'

export interface RequestFields {
  signature: string
  requestId: string
  requestedAt: Date
  clientId: string
  requestedScope: readonly string[]
  grantedScope: readonly string[]
  requestedAudience: readonly string[]
  grantedAudience: readonly string[]
  form: Readonly<Record<string, string>>
  subject: string
  active: boolean
}

/** The shared columns as a query returns them (instants and booleans vary by engine). */
export type RequestColumns = Pick<
  Selectable<OAuth2TokenTable>,
  | 'signature'
  | 'request_id'
  | 'requested_at'
  | 'client_id'
  | 'scope'
  | 'granted_scope'
  | 'requested_audience'
  | 'granted_audience'
  | 'form_data'
  | 'subject'
  | 'active'
>

const joinList = (items: readonly string[]): string => items.join('|')
const splitList = (text: string): string[] => (text === '' ? [] : text.split('|'))

export function requestToRow(r: RequestFields) {
  return {
    signature: r.signature,
    request_id: r.requestId,
    requested_at: r.requestedAt,
    client_id: r.clientId,
    scope: joinList(r.requestedScope),
    granted_scope: joinList(r.grantedScope),
    requested_audience: joinList(r.requestedAudience),
    granted_audience: joinList(r.grantedAudience),
    form_data: new URLSearchParams(r.form).toString(),
    subject: r.subject,
    active: r.active,
  }
}

export function requestFromRow(row: RequestColumns) {
  return {
    signature: row.signature,
    requestId: row.request_id,
    requestedAt: toDate(row.requested_at),
    clientId: row.client_id,
    requestedScope: splitList(row.scope),
    grantedScope: splitList(row.granted_scope),
    requestedAudience: splitList(row.requested_audience),
    grantedAudience: splitList(row.granted_audience),
    form: Object.fromEntries(new URLSearchParams(row.form_data)),
    subject: row.subject,
    active: toBool(row.active),
  }
}
