/**
 * moby.sshforward.v1.SSH: `RUN --mount=type=ssh`. Each ForwardAgent stream
 * is one connection to the agent socket, bytes piped both ways.
 */
import { connect } from 'node:net';
import { status, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall } from '@grpc/grpc-js';
import { forward, statusError } from './call-io.js';
import { metadataValue } from './metadata.js';

interface BytesMessage {
  data: Buffer;
}

export function sshService(agents: ReadonlyMap<string, readonly string[]>) {
  const socketOf = (id: string): string | undefined => agents.get(id === '' ? 'default' : id)?.[0];
  return {
    CheckAgent(call: ServerUnaryCall<{ ID: string }, unknown>, callback: sendUnaryData<object>): void {
      const id = call.request.ID;
      if (socketOf(id) === undefined)
        callback(statusError(status.NOT_FOUND, `The SSH agent ${JSON.stringify(id || 'default')} is not forwarded to this build.`));
      else callback(null, {});
    },
    ForwardAgent(call: ServerDuplexStream<BytesMessage, BytesMessage>): void {
      const id = metadataValue(call.metadata, 'buildkit.ssh.id') ?? '';
      const path = socketOf(id);
      if (path === undefined) {
        call.emit('error', statusError(status.NOT_FOUND, `The SSH agent ${JSON.stringify(id || 'default')} is not forwarded to this build.`));
        return;
      }
      const agent = connect(path);
      agent.on('data', (data) => {
        forward({ data }, call, agent);
      });
      agent.on('end', () => call.end());
      agent.on('error', (e) => {
        if (!call.cancelled) call.emit('error', statusError(status.UNAVAILABLE, `Cannot reach the SSH agent at ${path}: ${e.message}`));
      });
      call.on('data', (m: BytesMessage) => {
        forward(m.data, agent, call);
      });
      call.on('end', () => agent.end());
      call.on('cancelled', () => agent.destroy());
    },
  };
}
