import { cases } from './stdlib-support.js';

cases('semvercmp', [
  { args: ['3.23', '>= 3.20'], want: true },
  { args: ['3.19', '>= 3.20'], want: false },
  { args: ['v1.2.3', '1.2.3'], want: true },
  { args: ['1.2.4', '= 1.2.3'], want: false },
  { args: ['1.2.9', '1.2'], want: true }, // a partial version is a wildcard
  { args: ['1.2.3', '!= 1.2.3'], want: false },
  { args: ['1.3.0', '!= 1.2.x'], want: true },
  { args: ['2.0.0', '> 1'], want: true },
  { args: ['1.9.0', '> 1'], want: false }, // >1 needs 2 or more
  { args: ['1.3.0', '> 1.2'], want: true },
  { args: ['1.2.5', '> 1.2'], want: false },
  { args: ['1.9.9', '< 2'], want: true },
  { args: ['2.5.0', '<= 2.x'], want: true },
  { args: ['3.0.0', '<= 2.x'], want: false },
  { args: ['1.2.3', '~1.2'], want: true },
  { args: ['1.3.0', '~1.2'], want: false },
  { args: ['1.5.0', '~> 1'], want: true },
  { args: ['1.9.0', '^1.2.3'], want: true },
  { args: ['2.0.0', '^1.2.3'], want: false },
  { args: ['0.2.5', '^0.2.3'], want: true },
  { args: ['0.3.0', '^0.2.3'], want: false },
  { args: ['5.0.0', '*'], want: true },
  { args: ['2.5.0', '>1 <3'], want: true },
  { args: ['2.5.0', '>= 1.0, < 2.0'], want: false },
  { args: ['2.0.0', '^1.2 || ^2'], want: true },
  { args: ['1.4.5', '1.2 - 1.4.5'], want: true },
  { args: ['1.4.6', '1.2 - 1.4.5'], want: false },
  { args: ['1.2.3-beta', '>= 1.0'], want: false }, // prereleases need a prerelease in the constraint
  { args: ['1.2.3-beta.2', '>= 1.2.3-beta.1'], want: true },
  { args: ['1.2.3-beta.10', '> 1.2.3-beta.9'], want: true },
  { args: ['1.2.3-alpha', '< 1.2.3-1'], want: false }, // numeric identifiers sort before words
  { args: ['1.2.3+build.5', '1.2.3'], want: true },
  { args: ['latest', '>= 3.20'], error: 'failed to parse version "latest": Invalid Semantic Version', argIndex: 0 },
  { args: ['3.023', '>= 3.20'], error: 'failed to parse version "3.023": Invalid Semantic Version', argIndex: 0 },
  { args: ['1.0', 'nope'], error: 'improper constraint: nope', argIndex: 1 },
  { args: ['1.0', ''], error: 'improper constraint: ', argIndex: 1 },
  { args: ['1.0', '>= 01.2'], error: 'constraint parser error', argIndex: 1 },
]);
