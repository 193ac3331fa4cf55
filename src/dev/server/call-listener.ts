/**
 * The server's calls socket (messages.proto, CallRequest): each connection
 * carries one call, answered with one reply, then closed.
 */
import type { Server } from 'node:net';
import { frame, readMessages } from '../protocol/frames.js';
import { CallReply, CallRequest } from '../protocol/generated/messages.js';
import { listenPrivately } from './private-socket.js';

/** Listens on `path` (0600); resolves once it does. `answer` never rejects: a failure is a reply too. */
export function listenForCalls(path: string, answer: (req: CallRequest) => Promise<CallReply>): Promise<Server> {
  return listenPrivately(path, (socket) => {
    socket.on('error', () => undefined);
    let asked = false;
    readMessages(
      socket,
      (payload) => CallRequest.decode(payload),
      (req) => {
        // A second call on one connection is not the protocol.
        if (asked) return void socket.destroy();
        asked = true;
        void answer(req).then((reply) => socket.end(frame(CallReply.encode(reply).finish())));
      },
      () => socket.destroy(),
    );
  });
}
