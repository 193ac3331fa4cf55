/**
 * The builds an engine holds open, read from its build records
 * (Control.ListenBuildHistory, BuildKit v0.11+): what a test checks to
 * show that a session's end returned every build it held. A capability:
 * an engine without the records answers UNIMPLEMENTED.
 */
import * as grpc from '@grpc/grpc-js';
import { controlClient, controlService } from '../../src/buildkit/control.js';
import { dial } from '../../src/buildkit/dial.js';

interface HistoryEvent {
  readonly record?: { readonly Ref: string; readonly Frontend?: string; readonly CreatedAt?: { readonly seconds?: number } };
}

/**
 * The refs of the builds without a frontend of their own (client-side
 * builds, as bake holds them to debug) that are still open and began at
 * or after `since`; undefined where the engine keeps no build records.
 */
export async function heldBuilds(engineAddress: string, since: Date): Promise<string[] | undefined> {
  const dialed = await dial(undefined, { DOCKER_HOST: engineAddress });
  const control = controlClient(dialed);
  try {
    const Control = controlService();
    const raw = new Control('unused', grpc.credentials.createInsecure(), { channelOverride: control.channel() }) as unknown as {
      ListenBuildHistory(req: unknown): grpc.ClientReadableStream<HistoryEvent>;
    };
    const call = raw.ListenBuildHistory({ ActiveOnly: true, EarlyExit: true });
    const refs: string[] = [];
    try {
      for await (const event of call as AsyncIterable<HistoryEvent>) {
        const r = event.record;
        if (r && !r.Frontend && (r.CreatedAt?.seconds ?? 0) >= Math.floor(since.getTime() / 1000)) refs.push(r.Ref);
      }
    } catch (e) {
      if ((e as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return undefined;
      throw e;
    }
    return refs;
  } finally {
    control.close();
    await dialed.close();
  }
}
