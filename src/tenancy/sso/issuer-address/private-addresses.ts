import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses an identity provider chosen by an organization's admin must not make this server
 * reach: its own loopback, the private networks it may sit in, link-local (where cloud metadata
 * services answer, 169.254.169.254 and fd00:ec2::254), and addresses that are no host at all.
 */
const IPV4_BLOCKED: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private (RFC 1918)
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private (RFC 1918)
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

const IPV6_BLOCKED: readonly (readonly [string, number])[] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215)
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (fd00:ec2::254, AWS's metadata service, among them)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const blocked = new BlockList();
for (const [network, prefix] of IPV4_BLOCKED) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of IPV6_BLOCKED) blocked.addSubnet(network, prefix, 'ipv6');

/**
 * Whether `address` (an IPv4 or IPv6 literal, brackets allowed) is one this server must not
 * connect to on an organization's behalf. IPv6 forms that carry an IPv4 address (v4-mapped
 * `::ffff:a.b.c.d`, v4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged
 * by the IPv4 address they reach. Anything that is not an address counts as blocked.
 */
export function isBlockedAddress(address: string): boolean {
  const literal = address.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(literal)) return blocked.check(literal, 'ipv4');
  if (!isIPv6(literal)) return true;
  const groups = ipv6Groups(literal);
  if (!groups) return true;
  const embedded = embeddedIpv4(groups);
  if (embedded !== null) return blocked.check(embedded, 'ipv4');
  return blocked.check(literal, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 literal (`::` expanded, a dotted IPv4 tail read as two groups); null if malformed. */
export function ipv6Groups(literal: string): number[] | null {
  let text = literal.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    if (!isIPv4(dotted[1])) return null;
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : NaN));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.some(Number.isNaN) ? null : groups;
}

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that embed one; else null. */
function embeddedIpv4(groups: readonly number[]): string | null {
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  // ::ffff:a.b.c.d (v4-mapped) and ::a.b.c.d (v4-compatible; but not :: and ::1, judged as IPv6).
  if (zeros(0, 5) && groups[5] === 0xffff) return v4(groups[6], groups[7]);
  if (zeros(0, 6) && (groups[6] !== 0 || groups[7] > 1)) return v4(groups[6], groups[7]);
  // 64:ff9b::a.b.c.d (the well-known NAT64 prefix, RFC 6052).
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return v4(groups[6], groups[7]);
  // 2002:aabb:ccdd::/48 (6to4): the IPv4 address is in groups 1 and 2.
  if (groups[0] === 0x2002) return v4(groups[1], groups[2]);
  return null;
}
