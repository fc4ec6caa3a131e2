// Which IP addresses an outbound fetch may connect to when clients.http.disallow_private_ip_ranges
// is on: only publicly routable unicast. Refused: unspecified, loopback, RFC 1918 private, CGNAT
// (100.64/10), link-local (which holds the cloud metadata address 169.254.169.254), the IETF,
// documentation, benchmarking and reserved blocks, multicast and broadcast; in IPv6 everything
// outside global unicast (2000::/3), unique-local (fc00::/7, which holds fd00:ec2::254),
// documentation, Teredo and ORCHID blocks, and the forms that carry an IPv4 address
// (::ffff:a.b.c.d mapped, ::a.b.c.d compatible, 64:ff9b::/96 NAT64, 2002::/16 6to4), which are
// judged by the IPv4 address they carry.
import { isIP } from 'node:net'

type V4Range = readonly [base: number, bits: number]

const v4 = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0

const REFUSED_V4: readonly V4Range[] = [
  [v4(0, 0, 0, 0), 8], // "this network", includes the unspecified 0.0.0.0
  [v4(10, 0, 0, 0), 8], // RFC 1918
  [v4(100, 64, 0, 0), 10], // RFC 6598 carrier-grade NAT
  [v4(127, 0, 0, 0), 8], // loopback
  [v4(169, 254, 0, 0), 16], // link-local, cloud metadata
  [v4(172, 16, 0, 0), 12], // RFC 1918
  [v4(192, 0, 0, 0), 24], // IETF protocol assignments
  [v4(192, 0, 2, 0), 24], // TEST-NET-1
  [v4(192, 88, 99, 0), 24], // 6to4 relay anycast
  [v4(192, 168, 0, 0), 16], // RFC 1918
  [v4(198, 18, 0, 0), 15], // benchmarking
  [v4(198, 51, 100, 0), 24], // TEST-NET-2
  [v4(203, 0, 113, 0), 24], // TEST-NET-3
  [v4(224, 0, 0, 0), 4], // multicast
  [v4(240, 0, 0, 0), 4], // reserved, includes broadcast 255.255.255.255
]

function inV4Range(addr: number, [base, bits]: V4Range): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  return (addr & mask) >>> 0 === base
}

function parseV4(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  let n = 0
  for (const p of parts) {
    // No leading zeros: 010 means 8 to some parsers and 10 to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined
    const octet = Number(p)
    if (octet > 255) return undefined
    n = n * 256 + octet
  }
  return n
}

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or undefined. */
function parseV6(text: string): number[] | undefined {
  let s = text.replace(/^\[|\]$/g, '')
  const zone = s.indexOf('%')
  if (zone >= 0) s = s.slice(0, zone)
  if (isIP(s) !== 6) return undefined
  // A trailing dotted IPv4 part stands for the last two groups.
  const lastColon = s.lastIndexOf(':')
  const tail = s.slice(lastColon + 1)
  if (tail.includes('.')) {
    const n = parseV4(tail)
    if (n === undefined) return undefined
    s = `${s.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`
  }
  const halves = s.split('::')
  const groups = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)))
  const head = groups(halves[0] ?? '')
  const rest = halves.length === 2 ? groups(halves[1] ?? '') : []
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0
  const all = [...head, ...Array<number>(fill).fill(0), ...rest]
  return all.length === 8 && all.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? all : undefined
}

function publicV4(addr: number): boolean {
  return !REFUSED_V4.some((r) => inV4Range(addr, r))
}

function publicV6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g
  const embedded = ((g6 << 16) | g7) >>> 0
  // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped).
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0 || g5 === 0xffff)) {
    if (g5 === 0 && g6 === 0) return false // ::, ::1 and the rest of ::/112
    return publicV4(embedded)
  }
  // ::ffff:0:0:0/96 (SIIT translated) carries an IPv4 address too.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return publicV4(embedded)
  // 64:ff9b::/96 well-known NAT64 prefix.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return publicV4(embedded)
  // Only global unicast beyond this point.
  if ((g0 & 0xe000) !== 0x2000) return false
  // 2001::/23 IETF protocol assignments (Teredo 2001::/32, ORCHID, benchmarking 2001:2::/48, ...).
  if (g0 === 0x2001 && g1 < 0x200) return false
  // 2001:db8::/32 and 3fff::/20 documentation.
  if (g0 === 0x2001 && g1 === 0xdb8) return false
  if ((g0 & 0xfff0) === 0x3ff0) return false
  // 2002::/16 6to4: judged by the IPv4 address in groups 1 and 2.
  if (g0 === 0x2002) return publicV4(((g1 << 16) | g2) >>> 0)
  return true
}

/**
 * Whether `ip` (IPv4 or IPv6 text, brackets and zone id allowed) is a publicly routable unicast
 * address. Anything that does not parse as an address is not public.
 */
export function isPublicAddress(ip: string): boolean {
  const n = parseV4(ip)
  if (n !== undefined) return publicV4(n)
  const g = parseV6(ip)
  return g !== undefined && publicV6(g)
}

/** An IP literal host of a URL (without brackets), or undefined for a name. */
export function ipLiteral(hostname: string): string | undefined {
  const h = hostname.replace(/^\[|\]$/g, '')
  return isIP(h) !== 0 ? h : undefined
}
