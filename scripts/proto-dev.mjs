// Generates the dev protocol's TypeScript (messages.ts from messages.proto;
// dev.ts, the grpc-js service and client, from dev.proto) from proto/dev into
// src/dev/protocol/generated/
// (`npm run proto:dev`), or into the directory given as the one argument (the
// drift test compares that with the checked-in output). buf compiles the
// proto and runs ts-proto's plugin, both from node_modules: `npm ci` is all
// it needs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const GENERATED_DIR = `${root}src/dev/protocol/generated`;

/** ts-proto's options: why each is set. */
const OPTIONS = [
  // The grpc-js service definition, server interface and typed client.
  'outputServices=grpc-js',
  'esModuleInterop=true',
  // NodeNext resolution: relative imports end in .js.
  'importSuffix=.js',
  'env=node',
  // Fields keep the proto's names, as the wire and the JSON of `bake dev ls --format json` have them.
  'snakeToCamel=false',
  // A oneof is one tagged union: `{ $case: 'text', value }`.
  'oneof=unions-value',
  // int64s (milliseconds, bytes) are numbers; ts-proto throws past 2^53.
  'forceLong=number',
  // Only the binary codec: nothing reads these messages as JSON.
  'outputJsonMethods=false',
  'outputPartialMethods=false',
];

/** Writes the generated files into `out`. */
export function generateDevProtocol(out = GENERATED_DIR) {
  const buf = `${root}node_modules/@bufbuild/buf/bin/buf`;
  const plugin = `${root}node_modules/ts-proto/protoc-gen-ts_proto`;
  for (const tool of [buf, plugin]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: run npm ci (it installs @bufbuild/buf and ts-proto, the dev protocol's generator).`);
  }
  const template = { version: 'v2', plugins: [{ local: [process.execPath, plugin], out: resolve(out), opt: OPTIONS }] };
  execFileSync(process.execPath, [buf, 'generate', `${root}proto/dev`, '--template', JSON.stringify(template)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) generateDevProtocol(process.argv[2]);
