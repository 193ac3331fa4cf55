// Bundles the CLI into dist/ (one small entry chunk; format readers and
// commands split into chunks loaded on demand) so `bake --print` starts fast.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;

/**
 * grpc-js require()s @grpc/proto-loader only inside its channelz and ORCA
 * services, which bake never serves, yet esbuild follows the call and puts
 * proto-loader and protobufjs (~400 kB) in the chunk of every client of the
 * dev server: `bake dev ls` parsed them on each start (issue 15: under
 * 0.3 s). For grpc-js that require stays a runtime one, from node_modules,
 * as without a bundle; bake's own imports of proto-loader are bundled as before.
 */
const grpcWithoutProtoLoader = {
  name: 'grpc-without-proto-loader',
  setup(b) {
    b.onResolve({ filter: /^@grpc\/proto-loader$/ }, (args) =>
      args.importer.includes('/node_modules/@grpc/grpc-js/') ? { path: args.path, external: true } : undefined,
    );
  },
};
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { bake: 'src/cli/entry.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // jsonc-parser's `main` is a UMD build whose require()s esbuild cannot follow (every JSON bake
  // file crashed with "Cannot find module './impl/format'"): take its ESM build. Only for it:
  // preferring `module` everywhere changes other packages' default exports (@xterm's addons).
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  sourcemap: 'linked',
  // Without keepNames: its __name() call on every closure made in a hot path (an argument thunk per
  // function call) cost --print of 1,000 targets ~15 ms. Errors set their own names; --debug stack
  // traces read through the source maps (bin/bake enables them).
  minify: true,
  // CommonJS dependencies call require() for node builtins; ESM needs one made for them.
  banner: { js: "import { createRequire as __bakeCreateRequire } from 'node:module'; const require = __bakeCreateRequire(import.meta.url);" },
  // A native addon: it loads its .node file from its own package directory.
  external: ['node-pty'],
  plugins: [grpcWithoutProtoLoader],
  logLevel: 'warning',
});
