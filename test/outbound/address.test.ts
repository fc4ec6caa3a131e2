// Which addresses an outbound request may reach with clients.http.disallow_private_ip_ranges on.
import { describe, expect, it } from 'vitest'
import { ipLiteral, isPublicAddress } from '../../src/outbound/address.js'

describe('isPublicAddress', () => {
  it.each([
    // IPv4
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'RFC 1918'],
    ['10.255.255.255', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.0.1', 'link-local'],
    ['192.0.0.8', 'IETF assignments'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['198.18.0.1', 'benchmarking'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    // IPv6
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback in brackets'],
    ['0:0:0:0:0:0:0:1', 'loopback, long form'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with zone'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fd00:ec2::254', 'AWS metadata (IPv6)'],
    ['fec0::1', 'site-local (deprecated)'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard-only'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'Teredo'],
    ['2001:10::1', 'ORCHID'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['[::ffff:169.254.169.254]', 'IPv4-mapped metadata'],
    ['::ffff:10.0.0.1', 'IPv4-mapped RFC 1918'],
    ['0:0:0:0:0:ffff:c0a8:0101', 'IPv4-mapped 192.168.1.1, long form'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::10.1.2.3', 'IPv4-compatible RFC 1918'],
    ['::ffff:0:a00:1', 'SIIT-translated 10.0.0.1'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::1', '6to4 of 192.168.1.1'],
    // Not addresses at all
    ['localhost', 'a name'],
    ['', 'empty'],
    ['1.2.3', 'short IPv4'],
    ['256.1.1.1', 'octet out of range'],
    ['01.2.3.4', 'leading zero (not normalised here)'],
  ])('refuses %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false)
  })

  it.each([
    ['1.1.1.1'],
    ['8.8.8.8'],
    ['93.184.215.14'],
    ['100.63.255.255'],
    ['100.128.0.1'],
    ['172.15.255.255'],
    ['172.32.0.1'],
    ['169.253.255.255'],
    ['192.167.1.1'],
    ['198.20.0.1'],
    ['223.255.255.254'],
    ['2606:4700:4700::1111'],
    ['[2a00:1450:4001:80b::200e]'],
    ['2001:4860:4860::8888'],
    ['::ffff:1.1.1.1'],
    ['::ffff:0101:0101'],
    ['64:ff9b::808:808'],
    ['2002:0808:0808::1'],
  ])('allows %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true)
  })
})

describe('ipLiteral', () => {
  it('tells IP literal hosts from names', () => {
    expect(ipLiteral('127.0.0.1')).toBe('127.0.0.1')
    expect(ipLiteral('[::1]')).toBe('::1')
    expect(ipLiteral('example.com')).toBeUndefined()
    // The WHATWG URL parser normalises shorthand IPv4 forms before anything looks at them.
    expect(ipLiteral(new URL('http://0x7f.1/').hostname)).toBe('127.0.0.1')
    expect(ipLiteral(new URL('http://2130706433/').hostname)).toBe('127.0.0.1')
    expect(ipLiteral(new URL('http://[::ffff:127.0.0.1]/').hostname)).toBe('::ffff:7f00:1')
  })
})
