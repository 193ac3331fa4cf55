/**
 * FileSend.DiffCopy: where exporter output lands. `tar` (and `oci`/`docker`)
 * exporters stream raw bytes into one file; the `local` exporter speaks
 * fsutil's protocol with the roles reversed (see file-receive.ts).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { status, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { errorMessage, forward, statusError } from './call-io.js';
import { receiveDir } from './file-receive.js';
import type { FileSendSpec } from './spec.js';

interface BytesMessage {
  data: Buffer;
}

/** FileSend is declared with BytesMessage; for `local` the same path carries Packets, so FileSync's codec is borrowed. */
export function fileSendDefinition(target: FileSendSpec, bytesDef: ServiceDefinition, packetDef: ServiceDefinition): ServiceDefinition {
  if (target.kind === 'tar') return bytesDef;
  const packetMethod = packetDef['DiffCopy'];
  const bytesMethod = bytesDef['DiffCopy'];
  if (!packetMethod || !bytesMethod) throw new Error('The session protos lack DiffCopy.');
  return { DiffCopy: { ...packetMethod, path: bytesMethod.path, originalName: 'DiffCopy' } };
}

export function fileSendService(target: FileSendSpec) {
  return {
    DiffCopy(call: ServerDuplexStream<unknown, unknown>): void {
      const done = target.kind === 'tar' ? receiveTar(call, target.dest) : receiveDir(call, target.dest);
      done.then(
        () => call.end(),
        (e: unknown) => {
          if (!call.cancelled) call.emit('error', statusError(status.UNKNOWN, errorMessage(e)));
        },
      );
    },
  };
}

/** Raw bytes into `dest` until the daemon half-closes; the call stays paused while the disk is behind. */
async function receiveTar(call: ServerDuplexStream<BytesMessage, BytesMessage>, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const out = createWriteStream(dest);
  await new Promise<void>((resolve, reject) => {
    out.on('error', (e) => {
      call.destroy();
      reject(new Error(`Cannot write the exported tar to ${dest}: ${e.message}`));
    });
    call.on('data', (m: BytesMessage) => {
      forward(m.data, out, call);
    });
    call.on('cancelled', () => {
      out.destroy();
      reject(new Error('The daemon cancelled the export.'));
    });
    call.on('end', () => out.end(resolve));
  });
}
