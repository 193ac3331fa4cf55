/**
 * Checks `service` blocks (product.md §1) and picks the ones `bake dev`
 * runs: the named services and everything they depend on. Every problem is
 * reported at the attribute that causes it.
 */
import { bakeError, type SourceRange } from '../core/diagnostics.js';
import { unknownNameFix } from '../core/suggest.js';
import { ComposeSyntaxError, durationNanos, parsePort, parseVolume } from './compose-syntax.js';
import { goClean } from '../golang/path.js';
import { WATCH_ACTIONS, type Service, type Target, type WatchRule } from './model.js';
import { attributeRange, originOf } from './sources.js';

/**
 * Services whose name starts with `_` are templates (as private targets are
 * hidden from --list): they exist to be inherited, and are neither run nor checked.
 */
export function selectServices(all: readonly Service[], names: readonly string[], targets: readonly Target[]): Service[] {
  const services = all.filter((s) => !s.name.startsWith('_'));
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) validateService(s, byName, targets);
  checkDependencyCycles(services, byName);
  const interactive = services.filter((s) => s.interactive);
  if (interactive.length > 1) {
    const second = interactive[1] as Service;
    throw bakeError(
      `more than one interactive service: ${interactive.map((s) => s.name).join(', ')}`,
      attributeRange(second, 'interactive'),
      'Mark only the dev container with interactive = true.',
    );
  }
  if (!names.length) return [...services];
  const picked = new Set<string>();
  const visit = (name: string, at: SourceRange | undefined): void => {
    const s = byName.get(name);
    if (!s) throw unknownServiceError(name, at, services);
    if (picked.has(name)) return;
    picked.add(name);
    for (const dep of s.depends_on ?? []) visit(dep, attributeRange(s, 'depends_on'));
  };
  for (const n of names) visit(n, undefined);
  return services.filter((s) => picked.has(s.name));
}

function validateService(s: Service, byName: ReadonlyMap<string, Service>, targets: readonly Target[]): void {
  const where = (attr: string): SourceRange | undefined => attributeRange(s, attr);
  if (/^\d+$/.test(s.name))
    throw bakeError(
      `service name "${s.name}" is a number, which the monitor uses for the processes it execs`,
      originOf(s)?.label,
      'Give the service a name with a letter in it.',
    );
  if (s.runs_on === 'host') {
    // A host service is a command in a PTY on the user's machine: no image is involved.
    if (s.image || s.target)
      throw bakeError(
        `service "${s.name}" runs on the host, so it takes no ${s.image ? 'image' : 'target'}`,
        where(s.image ? 'image' : 'target'),
        'Remove it, or drop runs_on = "host" to run the service in a container.',
      );
    if (!s.command?.length)
      throw bakeError(
        `service "${s.name}" runs on the host but has no command`,
        where('runs_on'),
        'Give it command = ["program", "arg", …]: what to run on the host.',
      );
  } else if (!s.image && !s.target) {
    throw bakeError(
      `service "${s.name}" has no image or target`,
      originOf(s)?.label,
      'Set image = "name:tag" to run an image, or target = "NAME" to run what a target builds.',
    );
  }
  if (s.image && s.target) {
    throw bakeError(
      `service "${s.name}" sets both image and target`,
      where('image'),
      'Keep one: image runs an existing image, target runs the image that target builds.',
    );
  }
  if (s.target && !targets.some((t) => t.name === s.target)) {
    throw bakeError(
      `service "${s.name}" uses target "${s.target}", which is not defined`,
      where('target'),
      unknownNameFix(
        s.target,
        targets.map((t) => t.name),
        'targets',
        'Define it with a target block.',
      ),
    );
  }
  // Read here as `bake dev` will read them, so a mistake points at its attribute before anything builds.
  const syntax = (attr: string, read: () => unknown): void => {
    try {
      read();
    } catch (e) {
      if (e instanceof ComposeSyntaxError) throw bakeError(e.message, where(attr), e.fix);
      throw e;
    }
  };
  for (const port of s.ports ?? []) syntax('ports', () => parsePort(port, s.name));
  for (const volume of s.volumes ?? []) syntax('volumes', () => parseVolume(volume, s.name));
  for (const key of ['interval', 'timeout', 'start_period'] as const) {
    const text = s.healthcheck?.[key];
    if (text !== undefined && durationNanos(text) === undefined)
      throw bakeError(
        `invalid ${key} "${text}" in the healthcheck of service "${s.name}"`,
        where('healthcheck'),
        'Write durations like "1s", "500ms" or "1m30s".',
      );
  }
  if (s.stop_grace_period !== undefined && durationNanos(s.stop_grace_period) === undefined)
    throw bakeError(
      `invalid stop_grace_period "${s.stop_grace_period}" in service "${s.name}"`,
      where('stop_grace_period'),
      'Write durations like "1s", "500ms" or "1m30s".',
    );
  for (const dep of s.depends_on ?? []) {
    if (!byName.has(dep))
      throw bakeError(
        `service "${s.name}" depends on "${dep}", which is not defined`,
        where('depends_on'),
        unknownNameFix(dep, [...byName.keys()], 'services', 'Define it with a service block.'),
      );
  }
  (s.watch ?? []).forEach((rule, i) => validateWatchRule(s, rule, attributeRange(s, `watch.${i}`)));
  if (s.runs_on !== undefined && s.runs_on !== 'container' && s.runs_on !== 'host') {
    throw bakeError(`invalid runs_on "${s.runs_on}" in service "${s.name}"`, where('runs_on'), 'Use runs_on = "container" (the default) or "host".');
  }
}

/** One `watch` rule of `s`, checked where `at` points: what it does must make sense for the service. */
function validateWatchRule(s: Service, rule: WatchRule, at: SourceRange | undefined): void {
  const { action, path } = rule;
  if (!(WATCH_ACTIONS as readonly (string | undefined)[]).includes(action))
    throw bakeError(
      action === undefined ? `a watch rule of service "${s.name}" has no action` : `invalid watch action "${action}" in service "${s.name}"`,
      at,
      `Set action = "sync" (copy changed files into the container), "sync+restart" (copy, then restart the service) or "rebuild" (build its target again and recreate it).`,
    );
  if (!path)
    throw bakeError(
      `the ${action} watch rule of service "${s.name}" has no path`,
      at,
      'Set path = "./src": the file or directory to watch, relative to the bake file.',
    );
  if (s.runs_on === 'host')
    throw bakeError(
      `service "${s.name}" runs on the host, so it has no container for its ${action} watch rule`,
      at,
      'Remove the watch rule: a host service sees your files already.',
    );
  if (action === 'rebuild' && !s.target)
    throw bakeError(
      `service "${s.name}" runs the image "${s.image ?? ''}", so its rebuild watch rule has nothing to build`,
      at,
      'Give the service a target to build, or use action = "sync" to copy the changed files into its container.',
    );
  if (action !== 'rebuild' && !rule.target?.startsWith('/'))
    throw bakeError(
      rule.target === undefined
        ? `the ${action} watch rule of service "${s.name}" has no target`
        : `the ${action} watch rule of service "${s.name}" has target "${rule.target}", which is not an absolute path`,
      at,
      'Set target = "/app/src": where in the container the files under path go.',
    );
}

/**
 * A rebuild rule watches its service's build context: a path outside it
 * would rebuild on changes the build never sees. Checked on the resolved
 * targets (their contexts after inherits and --set), both paths relative to
 * the project directory; a remote or absolute context is not compared.
 */
export function checkWatchContexts(services: readonly Service[], targets: ReadonlyMap<string, Target>): void {
  for (const s of services) {
    (s.watch ?? []).forEach((rule, i) => {
      if (rule.action !== 'rebuild' || !s.target || !rule.path) return;
      const context = targets.get(s.target)?.context ?? '.';
      if (context.includes('://') || context.startsWith('/') || rule.path.startsWith('/')) return;
      if (isWithin(goClean(context), goClean(rule.path))) return;
      throw bakeError(
        `the rebuild watch rule of service "${s.name}" watches "${rule.path}", outside the build context "${context}" of target "${s.target}"`,
        attributeRange(s, `watch.${i}`),
        `Watch a path inside "${context}" (changes outside it never reach the build), or use action = "sync" for files the container reads directly.`,
      );
    });
  }
}

/** Whether the clean relative `path` is `dir` or under it. */
function isWithin(dir: string, path: string): boolean {
  if (dir === '.') return path !== '..' && !path.startsWith('../');
  return path === dir || path.startsWith(`${dir}/`);
}

function checkDependencyCycles(services: readonly Service[], byName: ReadonlyMap<string, Service>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const walk = (s: Service, path: readonly string[]): void => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(s.name)), s.name].join(' → ');
      const from = byName.get(path[path.length - 1] as string) as Service;
      throw bakeError(
        `depends_on cycle: ${cycle}`,
        attributeRange(from, 'depends_on'),
        'Remove one of these depends_on entries so the services can start in order.',
      );
    }
    state.set(s.name, 'visiting');
    for (const dep of s.depends_on ?? []) walk(byName.get(dep) as Service, [...path, s.name]);
    state.set(s.name, 'done');
  };
  for (const s of services) walk(s, []);
}

/** buildx's sentence for a service name that is not defined, with the nearest names. */
export function unknownServiceError(name: string, at: SourceRange | undefined, services: readonly Service[]): Error {
  return bakeError(
    `failed to find service ${name}`,
    at,
    unknownNameFix(
      name,
      services.map((s) => s.name),
      'services',
      'Define it with a service block.',
    ),
  );
}
