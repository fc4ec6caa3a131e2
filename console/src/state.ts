// Console-wide state: the hash route, notices for the live region, this server's status report,
// and secrets shown in this tab (kept in memory only, gone on reload, so "Try it" can reuse a
// secret the operator just saw without it ever being stored).
import { useEffect, useState } from 'preact/hooks'
import { get } from './api.js'
import type { StatusReport } from './model.js'

export interface Route {
  path: string[]
  query: URLSearchParams
}

function parseHash(): Route {
  const hash = location.hash.replace(/^#\/?/, '')
  const [path = '', query = ''] = hash.split('?')
  return { path: path.split('/').filter((s) => s !== '').map(decodeURIComponent), query: new URLSearchParams(query) }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash)
  useEffect(() => {
    const on = () => setRoute(parseHash())
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return route
}

export const go = (hash: string): void => {
  location.hash = hash
}

type Listener = () => void
function observable<T>(initial: T) {
  let value = initial
  const listeners = new Set<Listener>()
  return {
    get: () => value,
    set(next: T) {
      value = next
      for (const l of listeners) l()
    },
    use(): T {
      const [, tick] = useState(0)
      useEffect(() => {
        const l = () => tick((n) => n + 1)
        listeners.add(l)
        return () => void listeners.delete(l)
      }, [])
      return value
    },
  }
}

export interface Notice {
  id: number
  kind: 'success' | 'error'
  text: string
}
const notices = observable<Notice[]>([])
let noticeId = 0
export function notify(text: string, kind: Notice['kind'] = 'success'): void {
  const id = ++noticeId
  notices.set([...notices.get(), { id, kind, text }])
  setTimeout(() => notices.set(notices.get().filter((n) => n.id !== id)), 6000)
}
export const useNotices = notices.use

const status = observable<StatusReport | undefined>(undefined)
let loading: Promise<StatusReport> | undefined
export async function loadStatus(fresh = false): Promise<StatusReport> {
  if (fresh || !loading) {
    loading = get<StatusReport>('/admin/orthrus/status').then((r) => r.data)
    loading.catch(() => (loading = undefined))
  }
  const report = await loading
  status.set(report)
  return report
}
export function useStatus(): StatusReport | undefined {
  const value = status.use()
  useEffect(() => {
    if (!value) loadStatus().catch(() => undefined)
  }, [])
  return value
}

const secrets = new Map<string, string>()
export const rememberSecret = (clientId: string, secret: string): void => void secrets.set(clientId, secret)
export const secretOf = (clientId: string): string | undefined => secrets.get(clientId)

// A secret to show once on the next page (after create or a new secret), then forgotten there.
const reveal = new Map<string, string>()
export function revealOnce(clientId: string, secret: string): void {
  reveal.set(clientId, secret)
  rememberSecret(clientId, secret)
}
export function takeReveal(clientId: string): string | undefined {
  const secret = reveal.get(clientId)
  reveal.delete(clientId)
  return secret
}
