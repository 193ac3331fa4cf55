/**
 * A dev bring-up (product §4): builds what a session's services run as one
 * build run, then brings the session up to date with the image each service
 * runs now. `bake dev` drives it from the CLI (its renderer, its Ctrl-C, the
 * session reached through the server), and the dev server drives it for the
 * monitor's `rebuild` (progress as a command's text, the session in hand):
 * progress goes to the caller's sink, the session through its `up`, and
 * nothing here touches process.*.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import { usageError } from '../core/errors.js';
import { resolveDevEnvironment, type DevEnvironment } from '../bakefile/dev-environment.js';
import { hostFiles } from '../bakefile/load.js';
import type { Service } from '../bakefile/model.js';
import { resolveOptionsFor } from '../bakefile/pipeline.js';
import { resolveTargets, type ResolveOptions } from '../bakefile/resolve.js';
import { checkBuildInputs } from './build-inputs.js';
import type { BuildRunResult, BuildRunSink } from './build-run.js';
import type { OpenBuilder } from './builder.js';
import type { Definition } from './definition.js';

/** What a dev run brings up: the bake files read, the services picked and resolved with the targets they run. */
export interface DevPlan {
  readonly def: Definition;
  readonly options: Omit<ResolveOptions, 'names'>;
  readonly environment: DevEnvironment;
}

export interface DevPlanRequest {
  /** The services asked for (and so what they depend on); none: the bake files' default. */
  readonly services: readonly string[];
  /** `--set` values, with those the shorthand flags stand for. */
  readonly sets: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly warn: (d: Diagnostic) => void;
  /** Checks now what a build will need from this machine (contexts, Dockerfiles, secret files). */
  readonly checkInputs: boolean;
}

export function planDev(def: Definition, request: DevPlanRequest): DevPlan {
  const { cwd, env } = request;
  const lookup = (name: string): string | undefined => env[name];
  // A dev run loads what it builds into the engine it runs on; `*.load=true` matches nothing (an error) in a file of image-only services.
  const sets = def.evaluated.targets.length > 0 ? [...request.sets, '*.load=true'] : request.sets;
  const options = resolveOptionsFor(def.evaluated, { sets, env: lookup, warn: request.warn, files: hostFiles(cwd) });
  const environment = resolveDevEnvironment(def.evaluated, request.services, options);
  // A missing context, Dockerfile or secret file is reported before a server starts, as a build reports it before the engine.
  if (request.checkInputs) checkBuildInputs(environment.resolved.targets.values(), cwd, lookup);
  return { def, options, environment };
}

/** How a bring-up builds; undefined in DevBringUpRequest: it builds nothing (--no-build). */
export interface DevBuildSettings {
  /** `--builder`; undefined: BUILDKIT_HOST, else the session's engine. */
  readonly builder: string | undefined;
  readonly maxParallelism?: number | undefined;
  readonly keepGoing?: boolean | undefined;
}

export interface DevBringUpRequest {
  readonly plan: DevPlan;
  readonly cwd: string;
  /** The environment builds read, its DOCKER_HOST the session's engine. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly build: DevBuildSettings | undefined;
  /** The targets to build; empty: every target the services run. */
  readonly only: readonly string[];
  /** The image each service of the session runs now: a service whose target is not built this time keeps it. */
  readonly running: ReadonlyMap<string, string>;
}

/** A service and the image it is to run ('' for a host service). */
export interface DevServicePlan {
  readonly service: Service;
  readonly image: string;
}

export interface DevBringUpHooks<S> {
  /** Opens the build's progress sink, as runBuild does once the builder answers. */
  openSink(targets: readonly string[]): Promise<BuildRunSink>;
  /** The build is over, before the session changes: where its failures and summary are told. */
  built(result: BuildRunResult): Promise<void>;
  /** Brings the session to `plans`: it recreates only services whose image or spec changed. */
  up(plans: readonly DevServicePlan[]): Promise<S>;
  /**
   * Given, a running session whose targets are all unchanged since their
   * last build skips the build (unchangedBuild: no builder is dialed, no
   * sink opens): this is told which targets, and `up` follows with their
   * last images.
   */
  unchanged?(targets: readonly string[]): void;
}

export type DevBringUpOutcome<S> =
  { readonly outcome: 'ok'; readonly session: S } | { readonly outcome: 'build' | 'interrupted'; readonly failed: ReadonlyMap<string, unknown> };

/**
 * Builds what the services run (all their targets, or those `only` names),
 * then has `up` bring the session up to date. A build that fails or is
 * interrupted leaves the session as it was.
 */
export async function bringUpDev<S>(
  request: DevBringUpRequest,
  hooks: DevBringUpHooks<S>,
  signal: AbortSignal,
  open?: OpenBuilder,
): Promise<DevBringUpOutcome<S>> {
  const { plan } = request;
  const images = new Map<string, string>();
  if (request.build && plan.environment.resolved.targets.size) {
    const resolved = request.only.length ? resolveTargets(plan.def.evaluated, { ...plan.options, names: request.only }) : plan.environment.resolved;
    const input = { resolved, cwd: request.cwd, env: request.env, ...request.build };
    // Loaded only here: services that run images need none of the build machinery (about 110 ms to load).
    const { runBuild, unchangedBuild } = await import('./build-run.js');
    let built = hooks.unchanged && request.running.size > 0 ? await unchangedBuild(input, signal) : undefined;
    if (built) hooks.unchanged?.([...built.keys()]);
    else {
      const result = await runBuild(input, (targets) => hooks.openSink(targets), signal, open);
      await hooks.built(result);
      if (result.interrupted) return { outcome: 'interrupted', failed: result.failed };
      if (result.failed.size) return { outcome: 'build', failed: result.failed };
      built = result.built;
    }
    for (const [name, result] of built) images.set(name, result.exporterResponse['containerimage.digest'] ?? '');
  }
  const { services, resolved } = plan.environment;
  const plans = services.map((service) => ({ service, image: imageOf(service, images, request.running, resolved.targets) }));
  return { outcome: 'ok', session: await hooks.up(plans) };
}

/**
 * The image a service runs: its `image`; else what its target built now;
 * else (not rebuilt this time) the image it runs already, or the target's first tag.
 */
function imageOf(
  service: Service,
  built: ReadonlyMap<string, string>,
  running: ReadonlyMap<string, string>,
  targets: ReadonlyMap<string, { tags?: string[] }>,
): string {
  if (service.runs_on === 'host') return '';
  if (service.image) return service.image;
  const target = service.target as string;
  const image = built.get(target) || running.get(service.name) || targets.get(target)?.tags?.[0];
  if (image) return image;
  throw usageError(
    `service ${service.name} runs target ${target}, which has no image yet and no tag to find one by`,
    'Run bake dev without --no-build once, or give the target a tag.',
  );
}
