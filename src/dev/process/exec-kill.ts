/**
 * Ending an exec'd process. The Engine API has no call for it, so bake
 * signals the process itself: directly when the engine runs on this machine
 * and bake may (ExecInspect.Pid is a PID of the engine's machine), else with
 * `kill` exec'd in the container, aimed at the PID the process has there.
 */
import { readFileSync } from 'node:fs';
import type { DockerEngine } from '../../docker/engine-api.js';
import type { ExecDetails } from '../../docker/exec.js';
import { collectOutput } from '../../docker/stdcopy.js';
import { DevProcessError } from './errors.js';
import { delay } from './process-base.js';

/** How long a killed process gets to be reaped before bake calls it unkillable. */
const REAP_MS = 5_000;
const RESTART_FIX = 'Restart its service to end it (restart SERVICE in the monitor).';

/** Kills the exec's process (SIGKILL) and resolves once the engine reports it ended. */
export async function endExec(engine: DockerEngine, containerId: string, execId: string, signal: AbortSignal): Promise<void> {
  const exec = await engine.execs.inspect(execId, signal);
  if (!exec.Running) return;
  await killProcess(engine, containerId, exec.Pid, signal);
  if ((await untilExecEnds(engine, execId, signal, REAP_MS)).Running) {
    throw new DevProcessError(`exec ${execId.slice(0, 12)} (pid ${exec.Pid}) still runs ${REAP_MS / 1000}s after SIGKILL`, RESTART_FIX);
  }
}

/** The exec's state once it is no longer running, or as it is after `timeoutMs`. */
export async function untilExecEnds(engine: DockerEngine, execId: string, signal: AbortSignal, timeoutMs = 2_000): Promise<ExecDetails> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    const exec = await engine.execs.inspect(execId, signal);
    if (!exec.Running || Date.now() >= deadline) return exec;
    await delay(pause);
  }
}

async function killProcess(engine: DockerEngine, containerId: string, hostPid: number, signal: AbortSignal): Promise<void> {
  const status = containerProcessStatus(hostPid, containerId);
  if (status === undefined) {
    throw new DevProcessError(
      `cannot end pid ${hostPid} of container ${containerId.slice(0, 12)}: the engine runs on another machine (or in another PID namespace), and the Engine API cannot end an exec'd process`,
      'Exit it from its own terminal, or restart its service (restart SERVICE in the monitor).',
    );
  }
  try {
    process.kill(hostPid, 'SIGKILL');
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return; // it ended meanwhile
    if (code !== 'EPERM') throw e;
  }
  // Not ours to signal (a root process of a rootful engine): the container's own `kill` may.
  await killInContainer(engine, containerId, namespacePid(status, hostPid), signal);
}

/**
 * /proc/<pid>/status of the process when this machine sees it and it belongs
 * to the container (its cgroup path names the container), else undefined:
 * a PID alone could name an unrelated process of this machine.
 */
function containerProcessStatus(pid: number, containerId: string): string | undefined {
  try {
    if (!readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(containerId)) return undefined;
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The PID in the innermost PID namespace (the container's): the last field of NSpid. */
function namespacePid(status: string, hostPid: number): number {
  const fields = /^NSpid:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
  return Number(fields.at(-1) ?? hostPid);
}

async function killInContainer(engine: DockerEngine, containerId: string, pid: number, signal: AbortSignal): Promise<void> {
  const command = `kill -KILL ${pid}`;
  const { exitCode, said } = await runAsRoot(engine, containerId, command.split(' '), signal);
  if (exitCode !== 0) {
    throw new DevProcessError(
      `cannot end pid ${pid} in container ${containerId.slice(0, 12)}: \`${command}\` there failed (${said || `exit code ${exitCode}`})`,
      RESTART_FIX,
    );
  }
}

/** Runs `command` as root in the container, without a terminal, to its end: its exit code and the first line it printed. */
export async function runAsRoot(
  engine: DockerEngine,
  containerId: string,
  command: readonly string[],
  signal: AbortSignal,
): Promise<{ readonly exitCode: number; readonly said: string }> {
  const id = await engine.execs.create(containerId, { Cmd: [...command], User: '0', AttachStdout: true, AttachStderr: true }, signal);
  const { stdout, stderr } = await collectOutput((await engine.execs.start(id, false, signal)).frames());
  const { ExitCode } = await untilExecEnds(engine, id, signal);
  return { exitCode: ExitCode ?? -1, said: (stderr + stdout).trim().split('\n')[0] ?? '' };
}
