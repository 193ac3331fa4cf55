/**
 * The messages of proto/dev/dev.proto as the code sees them (proto-loader
 * with keepCase, longs as numbers, oneofs named by their field), and the
 * service definition, loaded on first use.
 */
import { join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { packageRoot } from '../buildkit/session/protos.js';

export interface TerminalSizeMessage { columns: number; rows: number }
export interface HelloRequest { client_version: string; protocol: string }
export interface HelloReply { server_version: string; protocol: string; pid: number; started_at_ms: number; sessions: number; rss_bytes: number; socket: string; log_file: string }
export interface ServicePlanMessage { service_json: string; image: string }
export interface UpRequest { files: string[]; project_dir: string; engine: string; services: ServicePlanMessage[]; health_timeout_ms: number; env: Record<string, string>; size: TerminalSizeMessage | null }
export type UpEvent = { event: 'status'; status: string } | { event: 'ready'; ready: SessionInfo };
export interface ServiceInfo { name: string; state: string; container: string; image: string }
export interface ProcessInfo { id: string; service: string; command: string[]; state: string; exit_code: number; exited: boolean; started_at_ms: number; attached_by: string; kind: string }
export interface SessionInfo { id: string; files: string[]; engine: string; services: ServiceInfo[]; processes: ProcessInfo[]; clients: number; interactive: string; created_ms: number; project_dir: string }
export interface ListRequest { engine: string }
export interface ListReply { sessions: SessionInfo[]; lost: string[] }
export interface StopRequest { session: string; volumes: boolean }
export interface StopReply { removed: string[] }
export interface AttachOpen { session: string; process: string; size: TerminalSizeMessage | null; client: string; client_id: string; below: boolean }
export type AttachIn = { msg: 'open'; open: AttachOpen } | { msg: 'input'; input: Buffer } | { msg: 'resize'; resize: TerminalSizeMessage };
export interface Attached { session: string; process: ProcessInfo; screen: Buffer }
export type AttachOut = { msg: 'attached'; attached: Attached } | { msg: 'output'; output: Buffer } | { msg: 'exited'; exited: ProcessInfo } | { msg: 'taken_over'; taken_over: string } | { msg: 'session_ended'; session_ended: string };
export interface CommandRequest { session: string; args: string[]; size: TerminalSizeMessage | null; attached: string }
export type CommandOut = { msg: 'text'; text: string } | { msg: 'data'; data: Buffer } | { msg: 'attach'; attach: string };
export interface ShutdownReply { sessions: number }

let loaded: ServiceDefinition | undefined;

/** The Dev service's definition, read on first use (only dev commands load this module). */
export function devService(): ServiceDefinition {
  return (loaded ??= loadSync(join(packageRoot(), 'proto', 'dev', 'dev.proto'), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true })['bake.dev.v1.Dev'] as unknown as ServiceDefinition);
}
