/**
 * IP networks as Go's net package and go-cidr treat them: ParseCIDR's
 * accepted syntax, addresses held as bigint with their bit length, and
 * net.IP's canonical text (dotted IPv4, RFC 5952 IPv6).
 */

export interface Network {
  /** The network address (host bits cleared). */
  readonly address: bigint;
  readonly prefixLength: number;
  /** 32 for IPv4, 128 for IPv6. */
  readonly bits: number;
}

export class CidrError extends Error {}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Go rejects leading zeros, which some parsers read as octal.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIPv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

export function maskOf(prefixLength: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefixLength)) - 1n);
}

/** net.ParseCIDR; the error text is Go's ParseError. */
export function parseCidr(text: string): Network {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const lengthText = slash < 0 ? '' : text.slice(slash + 1);
  const v4 = parseIPv4(addrText);
  const address = v4 ?? (addrText.includes(':') ? parseIPv6(addrText) : undefined);
  const bits = v4 === undefined ? 128 : 32;
  if (address === undefined || !/^\d+$/.test(lengthText) || Number(lengthText) > bits) {
    throw new CidrError(`invalid CIDR address: ${text}`);
  }
  const prefixLength = Number(lengthText);
  return { address: address & maskOf(prefixLength, bits), prefixLength, bits };
}

/** net.IP.String: dotted quad for IPv4 (and IPv4-mapped IPv6), RFC 5952 otherwise. */
export function formatIP(address: bigint, bits: number): string {
  const isMapped = bits === 128 && address >> 32n === 0xffffn;
  if (bits === 32 || isMapped) {
    const v4 = address & 0xffffffffn;
    return [24n, 16n, 8n, 0n].map((shift) => String((v4 >> shift) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(112 - i * 16)) & 0xffffn));
  // The longest run (of at least two) of zero groups becomes "::", the first if tied.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatNetwork(network: Network): string {
  return `${formatIP(network.address, network.bits)}/${network.prefixLength}`;
}

export function contains(network: Network, address: bigint): boolean {
  return (address & maskOf(network.prefixLength, network.bits)) === network.address;
}
