// When the demo app runs: only with --dev, and only for the pages whose URL is still Hydra's
// fallback (urls.login / urls.consent / urls.device.* left unset), so a configured app is never shadowed.
import { fallbackPageUrl } from '../config/derive.js'
import type { Config } from '../config/types.js'
import type { FlowKind } from './admin-api.js'

/** 'device_done' is the device flow's success page (urls.device.success). */
export type DevUiPage = FlowKind | 'device_done'

export interface DevUiOptions {
  /** Which fallback pages the demo app takes over. */
  pages: ReadonlySet<DevUiPage>
  /** The admin API's base URL, once known. */
  adminUrl: () => string | undefined
  /** Path the CSRF cookie is scoped to (the directory of the fallback pages). */
  cookiePath: string
  secureCookies: boolean
}

export function devUiPages(config: Pick<Config, 'dev' | 'urls'>): Set<DevUiPage> {
  const pages = new Set<DevUiPage>()
  if (!config.dev) return pages
  if (config.urls.login === fallbackPageUrl(config.urls.self.public, 'oauth2/fallbacks/login')) pages.add('login')
  if (config.urls.consent === fallbackPageUrl(config.urls.self.public, 'oauth2/fallbacks/consent')) pages.add('consent')
  if (config.urls.logout === fallbackPageUrl(config.urls.self.public, 'oauth2/fallbacks/logout')) pages.add('logout')
  if (config.urls.device.verification === fallbackPageUrl(config.urls.self.public, 'oauth2/fallbacks/device')) pages.add('device')
  if (config.urls.device.success === fallbackPageUrl(config.urls.self.public, 'oauth2/fallbacks/device/done')) pages.add('device_done')
  return pages
}

/** The demo app's options for this configuration, or undefined when it stays off. */
export function devUiOptions(config: Pick<Config, 'dev' | 'urls'>, adminUrl: () => string | undefined): DevUiOptions | undefined {
  const pages = devUiPages(config)
  if (pages.size === 0) return undefined
  const fallbacks = new URL(fallbackPageUrl(config.urls.self.public, 'oauth2/fallbacks/'))
  return { pages, adminUrl, cookiePath: fallbacks.pathname, secureCookies: fallbacks.protocol === 'https:' }
}
