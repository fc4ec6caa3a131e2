// Overview: what this server is, whether it is healthy, and what it has been doing. Server facts
// come from GET /admin/orthrus/status, counts from the list endpoints' X-Total-Count, activity
// from the Prometheus counters the admin listener already serves.
import { useEffect, useState } from 'preact/hooks'
import { get, totalCount } from '../api.js'
import { ErrorBox, Loading, PageHeader } from '../components.js'
import { byLabel, parseMetrics, total, type Sample } from '../metrics.js'
import type { StatusReport } from '../model.js'
import { loadStatus } from '../state.js'

interface Data {
  status?: StatusReport
  statusError?: unknown
  ready?: boolean
  clients?: number
  trust?: number
  metrics?: Sample[]
  metricsError?: unknown
}

async function settle<T>(p: Promise<T>): Promise<{ ok: T } | { error: unknown }> {
  try {
    return { ok: await p }
  } catch (error) {
    return { error }
  }
}

async function load(): Promise<Data> {
  const [status, ready, clients, trust, metrics] = await Promise.all([
    settle(loadStatus(true)),
    fetch('/health/ready', { cache: 'no-store' }).then((r) => r.ok, () => false),
    settle(get<unknown[]>('/admin/clients?page_size=1')),
    settle(get<unknown[]>('/admin/trust/grants/jwt-bearer/issuers?page_size=1')),
    settle(fetch('/admin/metrics/prometheus', { cache: 'no-store' }).then(async (r) => (r.ok ? parseMetrics(await r.text()) : Promise.reject(new Error(`HTTP ${r.status}`))))),
  ])
  return {
    ...('ok' in status ? { status: status.ok } : { statusError: status.error }),
    ready,
    ...('ok' in clients ? { clients: totalCount(clients.ok.headers) ?? clients.ok.data.length } : {}),
    ...('ok' in trust ? { trust: totalCount(trust.ok.headers) ?? trust.ok.data.length } : {}),
    ...('ok' in metrics ? { metrics: metrics.ok } : { metricsError: metrics.error }),
  }
}

const REFRESH_MS = 15_000

function uptime(samples: readonly Sample[]): string | undefined {
  const start = samples.find((s) => s.name === 'process_start_time_seconds')?.value
  if (start === undefined) return undefined
  const s = Math.max(0, Math.floor(Date.now() / 1000 - start))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`
}

function Stat(p: { label: string; value: number | string | undefined; href?: string }) {
  const value = p.value === undefined ? '—' : typeof p.value === 'number' ? p.value.toLocaleString() : p.value
  return (
    <div class="stat">
      <span class="stat-value">{p.href ? <a href={p.href}>{value}</a> : value}</span>
      <span class="stat-label">{p.label}</span>
    </div>
  )
}

export function Overview() {
  const [data, setData] = useState<Data>()
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    void load().then((d) => live && setData(d))
    const t = setTimeout(() => setTick((n) => n + 1), REFRESH_MS)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [tick])

  if (!data) return <Loading what="the overview" />
  const s = data.status
  const m = data.metrics ?? []
  const migrations = s?.database.migrations
  return (
    <>
      <PageHeader title="Overview" intro="This server at a glance. Refreshes every 15 seconds.">
        <button type="button" class="secondary" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
      </PageHeader>
      <ErrorBox error={data.statusError} title="The server status could not be read" />
      <div class="grid">
        <section class="card" aria-labelledby="ov-server">
          <h2 id="ov-server">Server</h2>
          <dl class="facts">
            <dt>Issuer</dt>
            <dd>
              <code>{s?.issuer ?? '—'}</code>
            </dd>
            <dt>Version</dt>
            <dd>{s?.version ?? '—'}</dd>
            <dt>Health</dt>
            <dd>{data.ready ? <span class="badge ok">ready</span> : <span class="badge bad">not ready</span>}</dd>
            <dt>Access tokens</dt>
            <dd>{s?.access_token_strategy ?? '—'}</dd>
            {s?.dev && (
              <>
                <dt>Mode</dt>
                <dd>
                  <span class="badge bad">--dev</span> never use in production
                </dd>
              </>
            )}
          </dl>
        </section>
        <section class="card" aria-labelledby="ov-db">
          <h2 id="ov-db">Database</h2>
          <dl class="facts">
            <dt>Kind</dt>
            <dd>{s?.database.dialect ?? '—'}</dd>
            <dt>Reachable</dt>
            <dd>{s ? s.database.reachable ? <span class="badge ok">yes</span> : <span class="badge bad">no</span> : '—'}</dd>
            <dt>Migrations</dt>
            <dd>
              {migrations ? (
                migrations.pending.length === 0 ? (
                  <>
                    <span class="badge ok">up to date</span> {migrations.applied} applied{migrations.latest ? <>, latest <code>{migrations.latest}</code></> : null}
                  </>
                ) : (
                  <>
                    <span class="badge bad">{migrations.pending.length} pending</span> run <code>orthrus migrate sql up</code>
                  </>
                )
              ) : (
                '—'
              )}
            </dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="ov-counts">
          <h2 id="ov-counts">Counts</h2>
          <div class="stats">
            <Stat label="clients" value={data.clients} href="#/clients" />
            <Stat label="live access tokens" value={s?.live_tokens?.access_tokens} />
            <Stat label="live refresh tokens" value={s?.live_tokens?.refresh_tokens} />
            <Stat label="trusted issuers" value={data.trust} href="#/trust" />
          </div>
        </section>
        <section class="card" aria-labelledby="ov-flows">
          <h2 id="ov-flows">Flows</h2>
          <p class="muted">Since the server started{uptime(m) ? ` (${uptime(m)} ago)` : ''}, from its Prometheus metrics.</p>
          {data.metricsError !== undefined ? (
            <p class="muted">The metrics at /admin/metrics/prometheus could not be read.</p>
          ) : (
            <>
              <div class="stats">
                <Stat label="started" value={total(m, 'orthrus_flows_started_total')} />
                <Stat label="completed" value={total(m, 'orthrus_flows_completed_total')} />
                <Stat label="rejected at login" value={total(m, 'orthrus_flows_rejected_total', { step: 'login' })} />
                <Stat label="rejected at consent" value={total(m, 'orthrus_flows_rejected_total', { step: 'consent' })} />
              </div>
              <h3>Tokens issued</h3>
              {byLabel(m, 'orthrus_oauth2_tokens_issued_total', 'grant_type').length === 0 ? (
                <p class="muted">None yet.</p>
              ) : (
                <ul class="plain">
                  {byLabel(m, 'orthrus_oauth2_tokens_issued_total', 'grant_type').map(([grant, n]) => (
                    <li key={grant}>
                      <code>{grant}</code> {n.toLocaleString()}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </section>
        <section class="card" aria-labelledby="ov-listeners">
          <h2 id="ov-listeners">Listeners</h2>
          <ul class="plain">
            {(s?.listeners ?? []).map((l) => (
              <li key={l.name} class="listener">
                <strong>{l.name}</strong> <code>{l.url}</code>
                {l.tls && <span class="badge">TLS</span>}
                {l.cors && <span class="badge">CORS</span>}
                <br />
                <span class="muted">{l.listening ? <>this process listens on {l.listening}</> : 'runs in another process'}</span>
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="ov-keys">
          <h2 id="ov-keys">Key sets</h2>
          {s?.key_sets ? (
            <ul class="plain">
              {s.key_sets.map((k) => (
                <li key={k.set}>
                  <a href="#/keys">
                    <code>{k.set}</code>
                  </a>{' '}
                  <span class="muted">
                    {k.keys} key{k.keys === 1 ? '' : 's'}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">Not available.</p>
          )}
        </section>
      </div>
    </>
  )
}
