import { cases } from './stdlib-support.js';

cases('basename', [
  { args: [''], want: '.' },
  { args: ['/'], want: '/' },
  { args: ['/foo/bar'], want: 'bar' },
  { args: ['foo/bar'], want: 'bar' },
  { args: ['/foo/bar.'], want: 'bar.' },
  { args: ['/foo/bar...'], want: 'bar...' },
  { args: ['a//b//'], want: 'b' },
  { args: ['/usr/local/bin/docker'], want: 'docker' },
  { args: ['C:\\dir\\file'], want: 'C:\\dir\\file' }, // slash-separated paths only, as Go's path package
]);

cases('dirname', [
  { args: [''], want: '.' },
  { args: ['/'], want: '/' },
  { args: ['/foo/bar'], want: '/foo' },
  { args: ['foo/bar'], want: 'foo' },
  { args: ['/foo/bar...'], want: '/foo' },
  { args: ['a//b//'], want: 'a/b' },
  { args: ['../a/..'], want: '../a' },
  { args: ['./'], want: '.' },
  { args: ['a/../..'], want: '.' },
  { args: ['//x'], want: '/' },
  { args: ['/usr/local/bin/docker'], want: '/usr/local/bin' },
]);

cases('homedir', [
  { args: [], want: '/home/baker' },
  { args: ['x'], error: 'too many arguments' },
]);
