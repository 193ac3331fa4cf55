// The layering check (issue 12; architecture.md, "A module map that shows
// it"): imports only go down the list of layers below, nothing imports in a
// circle, and the pure folders do no I/O. test/unit/layering.test.ts runs it,
// so CI fails on a wrong-way import; `npm run layers` runs it alone.

/** src/'s folders, top to bottom: a folder may import only the folders after it. */
export const LAYERS = ['cli', 'dev', 'orchestrate', 'buildkit', 'docker', 'dockerfile', 'graph', 'bakefile', 'golang', 'core'];

/** The folders that do no I/O: the world (env, cwd, clock, files) is passed in. */
const PURE = ['bakefile', 'graph', 'dockerfile', 'golang', 'core'];
/** The one pure file that reads the disk. */
const PURE_IO_ALLOWED = ['src/bakefile/load.ts'];
/**
 * Node's modules that reach the world: files, network, processes, the
 * terminal, the machine, the clock. (test/unit/purity.test.ts also
 * catches `process.env`, `process.cwd()` and `Date.now()`, which are no import.)
 */
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'child_process',
  'os',
  'http',
  'https',
  'http2',
  'dgram',
  'dns',
  'dns/promises',
  'tls',
  'readline',
  'readline/promises',
  'worker_threads',
  'cluster',
  'process',
  'timers',
  'timers/promises',
];

const escape = (path) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (paths) => `^(${paths.map(escape).join('|')})$`;

/** One rule a layer: it imports none of the layers above it. */
const layerRules = LAYERS.slice(1).map((layer, i) => {
  const above = LAYERS.slice(0, i + 1);
  return {
    name: `layer-${layer}`,
    comment: `src/${layer}/ imports only the layers below it (${LAYERS.slice(i + 2).join(', ') || 'none'}), never ${above.join(', ')}.`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: `^src/(${above.join('|')})/` },
  };
});

const buildkitRules = [
  {
    name: 'buildkit-not-bake-model',
    comment:
      'buildkit/ takes a build spec made from a target by one pure translation (orchestrate/build-spec.ts) and never imports the bake language or model (bakefile/).',
    severity: 'error',
    from: { path: '^src/buildkit/' },
    to: { path: '^src/bakefile/' },
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...layerRules,
    ...buildkitRules,
    {
      name: 'no-circular',
      comment: 'No import cycles: a module and what it imports form a tree, so each can be read (and loaded) before its importers.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'pure-no-io',
      comment: `${PURE.map((p) => `src/${p}/`).join(', ')} do no I/O (architecture.md); only ${PURE_IO_ALLOWED.join(', ')} reads the disk.`,
      severity: 'error',
      from: { path: `^src/(${PURE.join('|')})/`, pathNot: exactly(PURE_IO_ALLOWED) },
      to: { dependencyTypes: ['core'], path: exactly(IO_MODULES) },
    },
    {
      name: 'src-not-test',
      comment: 'The product never imports its tests or their support code.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    // Type-only imports count: `import type { Target }` ties buildkit/ to the bake model as much as a value import.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(build|dist)/' },
  },
};
