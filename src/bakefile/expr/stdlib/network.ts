/** CIDR functions from go-cty-funcs (built on apparentlymart/go-cidr), for IPv4 and IPv6. */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import type { Value } from '../value.js';
import { argNumber, argString, define, param, toInt, type FunctionTable } from './args.js';
import { CidrError, contains, formatIP, formatNetwork, maskOf, parseCidr, type Network } from './ipnet.js';

function network(prefix: string, argIndex?: number): Network {
  try {
    return parseCidr(prefix);
  } catch (err) {
    if (err instanceof CidrError) throw new FunctionError(`invalid CIDR expression: ${err.message}`, argIndex);
    throw err;
  }
}

const hostMask = (n: Network): bigint => ((1n << BigInt(n.bits)) - 1n) ^ maskOf(n.prefixLength, n.bits);

/** cidr.Host: a negative host number counts back from the end of the range (-1 is the last address). */
function cidrHost(prefix: string, hostArg: number): string {
  const hostNum = toInt(hostArg);
  const net = network(prefix);
  const max = hostMask(net);
  const magnitude = BigInt(hostNum < 0 ? -hostNum - 1 : hostNum);
  const offset = hostNum < 0 ? max - magnitude : magnitude;
  // go-cidr reports the already-adjusted number for negative hosts.
  if (magnitude > max) throw new FunctionError(`prefix of ${net.prefixLength} does not accommodate a host numbered ${offset}`);
  return formatIP(net.address | offset, net.bits);
}

/** cidr.Subnet: extend the prefix by newBits and pick subnet number netNum. */
function subnet(net: Network, newBits: number, netNum: number): Network {
  const prefixLength = net.prefixLength + newBits;
  if (prefixLength > net.bits) throw new FunctionError(`insufficient address space to extend prefix of ${net.prefixLength} by ${newBits}`);
  if (netNum < 0 || BigInt(netNum) > (1n << BigInt(newBits)) - 1n) {
    throw new FunctionError(`prefix extension of ${newBits} does not accommodate a subnet numbered ${netNum}`);
  }
  return { address: net.address | (BigInt(netNum) << BigInt(net.bits - prefixLength)), prefixLength, bits: net.bits };
}

function cidrSubnet(prefix: string, newBitsArg: number, netNumArg: number): string {
  const newBits = toInt(newBitsArg);
  const netNum = toInt(netNumArg);
  const net = network(prefix);
  // go-cty-funcs keeps 32-bit portability: at most 32 new bits per call.
  if (newBits > 32) throw new FunctionError('may not extend prefix by more than 32 bits');
  return formatNetwork(subnet(net, newBits, netNum));
}

/**
 * Consecutive subnets of the given sizes, each starting at the first suitably
 * aligned address after the previous one (go-cidr's NextSubnet). As in
 * go-cidr, running past the top of the address space counts as running out.
 */
function cidrSubnets(args: readonly Value[]): string[] {
  const net = network(argString(args, 0), 0);
  if (args.length === 1) return [];
  const space = 1n << BigInt(net.bits);
  const protocol = net.bits === 32 ? 'IPv4' : 'IPv6';
  // Start from the subnet just before the prefix, sized like the first request.
  const firstLength = net.prefixLength + toInt(argNumber(args, 1), 1);
  let last = (net.address - 1n + space) % space;
  let current = formatNetwork({ address: last & maskOf(Math.min(firstLength, net.bits), net.bits), prefixLength: firstLength, bits: net.bits });
  const out: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const newBits = toInt(argNumber(args, i), i);
    if (newBits < 1) throw new FunctionError('must extend prefix by at least one bit', i);
    if (newBits > 32) throw new FunctionError('may not extend prefix by more than 32 bits', i);
    const prefixLength = net.prefixLength + newBits;
    if (prefixLength > net.bits) {
      throw new FunctionError(`would extend prefix to ${prefixLength} bits, which is too long for an ${protocol} address`, i);
    }
    const size = 1n << BigInt(net.bits - prefixLength);
    const start = ((last + size) / size) * size;
    if (start >= space || !contains(net, start)) {
      throw new FunctionError(`not enough remaining address space for a subnet with a prefix of ${prefixLength} bits after ${current}`, i);
    }
    current = formatNetwork({ address: start, prefixLength, bits: net.bits });
    out.push(current);
    last = start + size - 1n;
  }
  return out;
}

const prefixParam = param('prefix', T.string);

export const NETWORK_FUNCTIONS: FunctionTable = {
  cidrhost: define([prefixParam, param('hostnum', T.number)], (args) => cidrHost(argString(args, 0), argNumber(args, 1))),
  cidrnetmask: define([prefixParam], (args) => {
    const net = network(argString(args, 0));
    return formatIP(maskOf(net.prefixLength, net.bits), net.bits);
  }),
  cidrsubnet: define([prefixParam, param('newbits', T.number), param('netnum', T.number)], (args) =>
    cidrSubnet(argString(args, 0), argNumber(args, 1), argNumber(args, 2)),
  ),
  cidrsubnets: define([prefixParam], cidrSubnets, param('newbits', T.number)),
};
