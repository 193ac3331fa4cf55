import { cases } from './stdlib-support.js';

cases('cidrhost', [
  { args: ['10.12.112.0/20', 16], want: '10.12.112.16' },
  { args: ['10.12.112.0/20', 268], want: '10.12.113.12' },
  { args: ['10.0.0.0/16', 5], want: '10.0.0.5' },
  { args: ['10.0.0.0/24', -1], want: '10.0.0.255' },
  { args: ['10.0.0.7/24', '2'], want: '10.0.0.2' },
  { args: ['fd00:fd12:3456:7890:00a2::/72', 34], want: 'fd00:fd12:3456:7890::22' },
  { args: ['10.0.0.0/24', 256], error: 'prefix of 24 does not accommodate a host numbered 256' },
  { args: ['10.0.0.0/24', -300], error: 'prefix of 24 does not accommodate a host numbered -44' },
  { args: ['10.0.0.0', 1], error: 'invalid CIDR expression: invalid CIDR address: 10.0.0.0' },
  { args: ['010.0.0.0/8', 1], error: 'invalid CIDR expression: invalid CIDR address: 010.0.0.0/8' },
  { args: ['10.0.0.0/24', 1.5], error: 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive' },
]);

cases('cidrnetmask', [
  { args: ['172.16.0.0/12'], want: '255.240.0.0' },
  { args: ['10.0.0.0/16'], want: '255.255.0.0' },
  { args: ['10.0.0.0/0'], want: '0.0.0.0' },
  { args: ['2001:db8::/32'], want: 'ffff:ffff::' },
  { args: ['10.0.0.0/33'], error: 'invalid CIDR expression: invalid CIDR address: 10.0.0.0/33' },
]);

cases('cidrsubnet', [
  { args: ['10.0.0.0/16', 4, 2], want: '10.0.32.0/20' },
  { args: ['172.16.0.0/12', 4, 2], want: '172.18.0.0/16' },
  { args: ['10.1.2.0/24', 4, 15], want: '10.1.2.240/28' },
  { args: ['10.1.2.3/24', 0, 0], want: '10.1.2.0/24' },
  { args: ['fd00:fd12:3456:7890::/56', 16, 162], want: 'fd00:fd12:3456:7800:a200::/72' },
  { args: ['10.1.2.0/24', 4, 16], error: 'prefix extension of 4 does not accommodate a subnet numbered 16' },
  { args: ['10.1.2.0/24', 9, 0], error: 'insufficient address space to extend prefix of 24 by 9' },
  { args: ['::/0', 33, 0], error: 'may not extend prefix by more than 32 bits' },
]);

cases('cidrsubnets', [
  { args: ['10.0.0.0/16', 4, 4], want: ['10.0.0.0/20', '10.0.16.0/20'] },
  { args: ['10.1.0.0/16', 4, 4, 8, 4], want: ['10.1.0.0/20', '10.1.16.0/20', '10.1.32.0/24', '10.1.48.0/20'] },
  {
    args: ['fd00:fd12:3456:7890::/56', 16, 16, 16, 32],
    want: ['fd00:fd12:3456:7800::/72', 'fd00:fd12:3456:7800:100::/72', 'fd00:fd12:3456:7800:200::/72', 'fd00:fd12:3456:7800:300::/88'],
  },
  { args: ['10.0.0.0/24'], want: [] },
  { args: ['10.0.0.0/24', 1, 1, 1], error: 'not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25', argIndex: 3 },
  { args: ['0.0.0.0/8', 8], error: 'not enough remaining address space for a subnet with a prefix of 16 bits after 255.255.0.0/16', argIndex: 1 },
  { args: ['10.0.0.0/30', 3], error: 'would extend prefix to 33 bits, which is too long for an IPv4 address', argIndex: 1 },
  { args: ['10.0.0.0/24', 0], error: 'must extend prefix by at least one bit', argIndex: 1 },
  { args: ['::/0', 33], error: 'may not extend prefix by more than 32 bits', argIndex: 1 },
  { args: ['nope', 1], error: 'invalid CIDR expression: invalid CIDR address: nope', argIndex: 0 },
]);
