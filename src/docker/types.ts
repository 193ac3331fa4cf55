/**
 * The parts of the Docker Engine API (v1.41, Docker 20.10) bake uses, typed.
 * Field names are the API's own; fields bake does not read are left out.
 */

export type Labels = Readonly<Record<string, string>>;

export interface EngineVersion {
  readonly Version: string;
  readonly ApiVersion: string;
  readonly MinAPIVersion: string;
  readonly Os: string;
  readonly Arch: string;
  readonly KernelVersion?: string;
}

/** GET /info, the fields bake reads. */
export interface EngineInfo {
  /** The daemon's own ID: the same through every address that reaches it. */
  readonly ID: string;
  /** The engine's host name. */
  readonly Name: string;
}

export interface ImageSummary {
  readonly Id: string;
  readonly RepoTags: readonly string[] | null;
  readonly Labels: Labels | null;
  readonly Created: number;
  readonly Size: number;
}

export interface ImageInspect {
  readonly Id: string;
  readonly RepoTags: readonly string[];
  readonly Created: string;
  readonly Size: number;
  readonly Architecture: string;
  readonly Os: string;
  readonly Config: { readonly Labels: Labels | null; readonly Cmd: readonly string[] | null; readonly Env: readonly string[] | null };
}

export interface ImageImportOptions {
  readonly repo: string;
  readonly tag: string;
  /** Dockerfile instructions applied to the image: `CMD ["sh"]`, `LABEL k=v`. */
  readonly changes?: readonly string[];
  readonly message?: string;
}

/** The credentials of a push, as the engine reads them from `X-Registry-Auth`. */
export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  /** The registry host, `127.0.0.1:5000` or `registry.example.com`. */
  readonly serveraddress: string;
}

/** One line of push progress (`{status, id, progress}`); failures never reach the caller as lines. */
export interface ImagePushProgress {
  readonly status?: string;
  /** The layer the line is about. */
  readonly id?: string;
  readonly progress?: string;
  /** On the last line: the pushed tag and its manifest digest. */
  readonly aux?: { readonly Tag: string; readonly Digest: string; readonly Size: number };
}

/** Where a published container port listens on the host; empty strings let the engine choose. */
export interface PortBinding {
  readonly HostIp: string;
  readonly HostPort: string;
}

/** Keys of port maps are `PORT/PROTOCOL` (`80/tcp`). */
export type PortMap = Readonly<Record<string, readonly PortBinding[]>>;

export interface HostConfig {
  readonly AutoRemove?: boolean;
  /** `SOURCE:DESTINATION[:OPTIONS]`; SOURCE is a host path or a volume name. */
  readonly Binds?: readonly string[];
  readonly PortBindings?: PortMap;
  readonly NetworkMode?: string;
  readonly Init?: boolean;
  readonly Privileged?: boolean;
}

/** A container's health check; durations are nanoseconds, 0 meaning the engine's default. */
export interface HealthConfig {
  /** `["CMD", ARG…]`, `["CMD-SHELL", COMMAND]`, `["NONE"]`; absent: the image's own. */
  readonly Test?: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly Retries?: number;
  readonly StartPeriod?: number;
}

export interface EndpointSettings {
  /** Further names the container answers to on that network's DNS. */
  readonly Aliases?: readonly string[];
}

/** POST /containers/create: the container's config and its host config. */
export interface ContainerSpec {
  readonly Image: string;
  readonly Cmd?: readonly string[];
  readonly Entrypoint?: readonly string[];
  readonly Env?: readonly string[];
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Labels?: Labels;
  readonly Tty?: boolean;
  readonly OpenStdin?: boolean;
  readonly StdinOnce?: boolean;
  readonly AttachStdin?: boolean;
  readonly AttachStdout?: boolean;
  readonly AttachStderr?: boolean;
  readonly Hostname?: string;
  /** Keys `PORT/PROTOCOL`; values are empty objects. */
  readonly ExposedPorts?: Readonly<Record<string, Readonly<Record<string, never>>>>;
  /** Anonymous volumes: keys are container paths; values are empty objects. */
  readonly Volumes?: Readonly<Record<string, Readonly<Record<string, never>>>>;
  readonly Healthcheck?: HealthConfig;
  /** What a stop sends first (`SIGTERM` when absent). */
  readonly StopSignal?: string;
  /** Seconds a stop waits for the container to exit before SIGKILL (the engine's 10 when absent). */
  readonly StopTimeout?: number;
  readonly HostConfig?: HostConfig;
  readonly NetworkingConfig?: { readonly EndpointsConfig: Readonly<Record<string, EndpointSettings>> };
}

export interface ContainerSummary {
  readonly Id: string;
  readonly Names: readonly string[];
  /** The image as given at create (a name or an ID). */
  readonly Image: string;
  readonly ImageID: string;
  readonly State: string;
  readonly Status: string;
  readonly Labels: Labels;
  readonly Created: number;
}

/** One run of a health check. */
export interface HealthLogEntry {
  readonly Start: string;
  readonly End: string;
  readonly ExitCode: number;
  readonly Output: string;
}

export interface ContainerHealth {
  readonly Status: 'starting' | 'healthy' | 'unhealthy' | 'none';
  readonly FailingStreak: number;
  /** The last few runs, oldest first. */
  readonly Log: readonly HealthLogEntry[] | null;
}

export interface MountPoint {
  readonly Type: 'bind' | 'volume' | 'tmpfs' | 'npipe';
  /** The volume's name (volumes only). */
  readonly Name?: string;
  readonly Source: string;
  readonly Destination: string;
  readonly RW: boolean;
}

export interface ContainerInspect {
  readonly Id: string;
  readonly Name: string;
  /** The image ID (`sha256:…`). */
  readonly Image: string;
  /** The main process's executable and arguments (the entrypoint and command, as run). */
  readonly Path: string;
  readonly Args: readonly string[];
  /** The processes exec'd in it that the engine still knows (running, or ended and not yet cleaned up). */
  readonly ExecIDs: readonly string[] | null;
  readonly Created: string;
  readonly State: {
    readonly Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
    readonly Running: boolean;
    readonly ExitCode: number;
    readonly Pid: number;
    readonly StartedAt: string;
    readonly FinishedAt: string;
    readonly Error: string;
    /** Present when the container has a health check. */
    readonly Health?: ContainerHealth;
  };
  readonly Config: {
    readonly Tty: boolean;
    readonly OpenStdin: boolean;
    readonly Labels: Labels | null;
    readonly Image: string;
    readonly Cmd: readonly string[] | null;
    readonly Env: readonly string[] | null;
    readonly Healthcheck?: HealthConfig;
    readonly StopSignal?: string;
  };
  readonly HostConfig: { readonly PortBindings: PortMap | null; readonly NetworkMode: string; readonly Init?: boolean | null };
  readonly Mounts: readonly MountPoint[];
  readonly NetworkSettings: {
    readonly Networks: Readonly<Record<string, { readonly IPAddress: string; readonly Aliases: readonly string[] | null }>>;
    /** Published ports with the host ports the engine picked; null entries are exposed only. */
    readonly Ports: Readonly<Record<string, readonly PortBinding[] | null>> | null;
  };
}

export interface WaitResult {
  readonly StatusCode: number;
  readonly Error?: { readonly Message: string } | null;
}

export interface LogOptions {
  /** Whether the container has a TTY: its logs are then raw, not multiplexed. */
  readonly tty: boolean;
  readonly follow?: boolean;
  readonly stdout?: boolean;
  readonly stderr?: boolean;
  readonly tail?: number | 'all';
  readonly timestamps?: boolean;
}

export interface AttachOptions {
  readonly tty: boolean;
  readonly stdin?: boolean;
  readonly stdout?: boolean;
  readonly stderr?: boolean;
  /** Replay what the container already printed before streaming. */
  readonly logs?: boolean;
  readonly detachKeys?: string;
}

export interface TerminalSize {
  readonly rows: number;
  readonly columns: number;
}

export interface ExecSpec {
  readonly Cmd: readonly string[];
  readonly Tty?: boolean;
  readonly AttachStdin?: boolean;
  readonly AttachStdout?: boolean;
  readonly AttachStderr?: boolean;
  readonly Env?: readonly string[];
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Privileged?: boolean;
  /** The terminal size from the start, so the first prompt is drawn right (API 1.42+; older engines ignore it). */
  readonly ConsoleSize?: readonly [number, number];
}

export interface ExecInspect {
  readonly ID: string;
  readonly Running: boolean;
  readonly ExitCode: number | null;
  readonly Pid: number;
  readonly ContainerID: string;
}

export interface NetworkSpec {
  readonly Name: string;
  readonly Driver?: string;
  readonly Internal?: boolean;
  readonly Attachable?: boolean;
  readonly Labels?: Labels;
  readonly CheckDuplicate?: boolean;
  readonly Options?: Readonly<Record<string, string>>;
}

export interface NetworkInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Labels: Labels | null;
  readonly Containers?: Readonly<Record<string, { readonly Name: string }>>;
}

export interface VolumeSpec {
  readonly Name?: string;
  readonly Driver?: string;
  readonly Labels?: Labels;
}

export interface VolumeInspect {
  readonly Name: string;
  readonly Driver: string;
  readonly Mountpoint: string;
  readonly Labels: Labels | null;
}

/** One message of GET /events. */
export interface EngineEvent {
  /** container, image, network, volume, daemon, plugin, builder, or a type a newer engine added. */
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes: Labels };
  readonly time: number;
  readonly timeNano: number;
}

/** The stat of a path in a container (the X-Docker-Container-Path-Stat header of the archive API). */
export interface ContainerPathStat {
  readonly name: string;
  readonly size: number;
  /** Go's os.FileMode: type bits at the top of the word (golang/file-mode.ts reads them). */
  readonly mode: number;
  /** RFC 3339. */
  readonly mtime: string;
  /** A symlink's target; empty otherwise. */
  readonly linkTarget: string;
}
