import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns'
import ipaddr from 'ipaddr.js'
import { BlockedAddressError } from '../errors.js'

/** `dns.lookup`'s shape, which `net.connect({ lookup })` calls for a host name (never for an IP literal). */
export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void

/** The name of the range an address must not be reached in, or undefined when it may be. */
export type AddressPolicy = (address: string) => string | undefined

/**
 * Only ordinary global unicast is reachable. An allow-list rather than a deny-list: loopback,
 * RFC 1918 private, link-local (169.254.169.254, the cloud metadata service), CGNAT (100.64/10,
 * Alibaba's 100.100.100.200), unique-local (fd00:ec2::254), multicast, reserved and every
 * IPv6 range that embeds an IPv4 address (compatible, mapped, NAT64, 6to4, Teredo) are all refused.
 */
export const refusePrivateAddresses: AddressPolicy = (address) => {
  if (!ipaddr.isValid(address)) return 'not an IP address'
  // ipaddr.process turns ::ffff:127.0.0.1 into 127.0.0.1, so a mapped address is judged as IPv4.
  const parsed = ipaddr.process(address)
  const range = parsed.range()
  if (range !== 'unicast') return range
  // IPv4-compatible ::a.b.c.d (RFC 4291 §2.5.5.1, deprecated; new URL() writes [::127.0.0.1] as
  // [::7f00:1]): ipaddr.js calls it unicast, but it is no global address (:: and ::1 are caught above).
  return parsed.kind() === 'ipv6' && parsed.match(IPV4_COMPATIBLE) ? 'ipv4Compatible' : undefined
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96')

/** The address a URL names literally (`127.0.0.1`, `[::1]`), or undefined for a host name. */
export function literalAddressOf(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return ipaddr.isValid(host) ? host : undefined
}

/** @throws BlockedAddressError when `url` names a refused address literally. Host names are checked at connect. */
export function checkLiteralAddress(url: URL, policy: AddressPolicy): void {
  const address = literalAddressOf(url)
  const range = address === undefined ? undefined : policy(address)
  if (address !== undefined && range !== undefined) throw new BlockedAddressError(url.hostname, address, range)
}

/**
 * A `lookup` for the Agent's connect options: resolves every address of the host, refuses the
 * connection when any of them is refused, and hands the checked addresses to the socket. The
 * check and the connect use one resolution, so a DNS answer that changes between them (DNS
 * rebinding) cannot slip a private address past the check.
 */
export function createGuardedLookup(policy: AddressPolicy, lookup: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    const allOptions: LookupAllOptions = { ...options, all: true }
    lookup(hostname, allOptions, (err, addresses) => {
      if (err !== null) return callback(err, [])
      const list = Array.isArray(addresses) ? addresses : [{ address: addresses, family: allOptions.family === 6 ? 6 : 4 }]
      for (const { address } of list) {
        const range = policy(address)
        if (range !== undefined) return callback(toErrno(new BlockedAddressError(hostname, address, range)), [])
      }
      const first = list[0]
      if (first === undefined) return callback(toErrno(new Error(`${hostname} has no address`)), [])
      if (options.all === true) callback(null, list)
      else callback(null, first.address, first.family)
    })
  }
}

function toErrno(err: Error): NodeJS.ErrnoException {
  return err as NodeJS.ErrnoException
}
