/**
 * Our addition to buildx's mapping: every compose service becomes a bake
 * `Service`, how `bake dev` runs it (image or target, command, environment,
 * ports and volumes in their short forms, dependencies, healthcheck, init,
 * stop signal and grace period, and the
 * `x-bake-dev` extension), with ports and volumes made unique as compose's
 * EnforceUnicity makes them.
 */
import { bakeError } from '../../../core/diagnostics.js';
import type { SourceRange } from '../../../core/diagnostics.js';
import { sanitizeTargetName, WATCH_ACTIONS, type HealthCheck, type Service, type WatchRule } from '../../model.js';
import { recordOrigin } from '../../sources.js';
import type { Lookup } from '../interpolate.js';
import {
  dependsOnMap,
  optionalBool,
  optionalCommand,
  optionalDict,
  optionalInt,
  optionalList,
  optionalMap,
  optionalText,
  requireString,
  typeError,
} from './fields.js';
import { dotted, isNull, type MapNode, type Path } from './tree.js';

/** Our `service` for a compose service: how it runs under `bake dev`. */
export function composeService(name: string, service: MapNode, lookup: Lookup): Service {
  const path = ['services', name];
  const out: Service = { name: sanitizeTargetName(name) };
  // With build, compose builds the image and names it `image` (the target's tag): the service runs what its target builds.
  const image = optionalText(service, 'image', path);
  if (service.fields.has('build')) out.target = sanitizeTargetName(name);
  else if (image !== undefined) out.image = image;
  const command = optionalCommand(service, 'command', path);
  if (command) out.command = command;
  const entrypoint = optionalCommand(service, 'entrypoint', path);
  if (entrypoint) out.entrypoint = entrypoint;
  const environment = optionalDict(service, 'environment', path);
  if (environment) out.environment = Object.fromEntries([...environment].map(([k, v]) => [k, v ?? lookup(k) ?? null]));
  const ports = portsOf(service, path);
  if (ports) out.ports = ports;
  const volumes = volumesOf(service, path);
  if (volumes) out.volumes = volumes;
  const dependsOn = service.fields.get('depends_on');
  if (dependsOn && !isNull(dependsOn.value)) out.depends_on = [...dependsOnMap(dependsOn.value, [...path, 'depends_on']).fields.keys()].map(sanitizeTargetName);
  const workdir = optionalText(service, 'working_dir', path);
  if (workdir !== undefined) out.workdir = workdir;
  const user = optionalText(service, 'user', path);
  if (user !== undefined) out.user = user;
  if (optionalBool(service, 'stdin_open', path) && optionalBool(service, 'tty', path)) out.interactive = true;
  const init = optionalBool(service, 'init', path);
  if (init !== undefined) out.init = init;
  const stopSignal = optionalText(service, 'stop_signal', path);
  if (stopSignal !== undefined) out.stop_signal = stopSignal;
  const stopGrace = optionalText(service, 'stop_grace_period', path);
  if (stopGrace !== undefined) out.stop_grace_period = stopGrace;
  const healthcheck = optionalMap(service, 'healthcheck', path);
  if (healthcheck) out.healthcheck = healthcheckOf(healthcheck, [...path, 'healthcheck']);
  const dev = optionalMap(service, 'x-bake-dev', path);
  if (dev) applyBakeDev(out, dev, [...path, 'x-bake-dev']);
  const ranges = new Map<string, SourceRange>();
  const develop = optionalMap(service, 'develop', path);
  const watch = develop && watchRules(develop, [...path, 'develop'], ranges);
  if (watch?.length) out.watch = watch;
  recordOrigin(out, { label: service.range, attributes: ranges });
  return out;
}

/** compose's `develop.watch` as it is: each item's action, path, target and ignore (`ranges` gets `watch.N`, for errors found later). */
function watchRules(develop: MapNode, path: Path, ranges: Map<string, SourceRange>): WatchRule[] | undefined {
  const field = develop.fields.get('watch');
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'seq') throw typeError([...path, 'watch'], field.value, 'list');
  ranges.set('watch', field.value.range);
  return field.value.items.map((item, i) => {
    const itemPath = [...path, 'watch', '[]'];
    if (item.kind !== 'map') throw typeError(itemPath, item, 'mapping');
    ranges.set(`watch.${i}`, item.range);
    const rule: WatchRule = {};
    const action = optionalText(item, 'action', itemPath);
    if (action === undefined) throw bakeError(`${dotted(itemPath)} has no action`, item.range, `Give it action: ${WATCH_ACTIONS.join(', ')}.`);
    rule.action = action;
    const where = optionalText(item, 'path', itemPath);
    if (where === undefined)
      throw bakeError(`${dotted(itemPath)} has no path`, item.range, 'Give it path: the file or directory to watch, relative to the compose file.');
    rule.path = where;
    const target = optionalText(item, 'target', itemPath);
    if (target !== undefined) rule.target = target;
    const ignore = optionalList(item, 'ignore', itemPath);
    if (ignore) rule.ignore = ignore;
    return rule;
  });
}

function applyBakeDev(service: Service, dev: MapNode, path: Path): void {
  const interactive = optionalBool(dev, 'interactive', path);
  if (interactive !== undefined) service.interactive = interactive;
  const shell = optionalCommand(dev, 'shell', path);
  if (shell) service.shell = shell;
  const runsOn = optionalText(dev, 'runs_on', path);
  if (runsOn !== undefined) service.runs_on = runsOn;
}

function healthcheckOf(map: MapNode, path: Path): HealthCheck {
  const out: HealthCheck = {};
  const test = map.fields.get('test');
  if (test && !isNull(test.value)) {
    out.test =
      test.value.kind === 'seq'
        ? test.value.items.map((item) => requireString(item, [...path, 'test', '[]']))
        : ['CMD-SHELL', requireString(test.value, [...path, 'test'])];
  }
  if (optionalBool(map, 'disable', path)) out.test = ['NONE'];
  for (const key of ['interval', 'timeout', 'start_period'] as const) {
    const value = optionalText(map, key, path);
    if (value !== undefined) out[key] = value;
  }
  const retries = optionalInt(map, 'retries', path);
  if (retries !== undefined) out.retries = retries;
  return out;
}

/** Ports in the short form (`[host_ip:][published:]target[/protocol]`), one per published mapping. */
function portsOf(service: MapNode, path: Path): string[] | undefined {
  const field = service.fields.get('ports');
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'seq') throw typeError([...path, 'ports'], field.value, 'list');
  const texts = field.value.items.map((item) =>
    item.kind === 'map' ? longPort(item, [...path, 'ports', '[]']) : requireString(item, [...path, 'ports', '[]']),
  );
  return uniqueBy(texts, portKey);
}

function longPort(port: MapNode, path: Path): string {
  const targetField = port.fields.get('target');
  if (!targetField) throw bakeError(`${dotted(path)} is missing a target port`, port.range, 'Give the port a target:.');
  const target = requireString(targetField.value, [...path, 'target']);
  const published = optionalText(port, 'published', path) ?? '';
  const host = optionalText(port, 'host_ip', path);
  const protocol = optionalText(port, 'protocol', path);
  const hostPart = host === undefined ? '' : `${host.includes(':') ? `[${host}]` : host}:`;
  const mapping = host === undefined && published === '' ? target : `${hostPart}${published}:${target}`;
  return protocol && protocol !== 'tcp' ? `${mapping}/${protocol}` : mapping;
}

/** compose's unicity key for a port: host, published and target port, protocol. */
function portKey(text: string): string {
  const slash = text.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : text.slice(slash + 1);
  const parts = (slash < 0 ? text : text.slice(0, slash)).split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  const host = parts.join(':').replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
  return `${host}:${published}:${target}/${protocol}`;
}

/** Volumes in the short form (`[source:]target[:options]`); mount types the short form cannot say are left out. */
function volumesOf(service: MapNode, path: Path): string[] | undefined {
  const field = service.fields.get('volumes');
  if (field === undefined || isNull(field.value)) return undefined;
  if (field.value.kind !== 'seq') throw typeError([...path, 'volumes'], field.value, 'list');
  const texts = field.value.items.flatMap((item) => {
    if (item.kind !== 'map') return [requireString(item, [...path, 'volumes', '[]'])];
    const short = longVolume(item, [...path, 'volumes', '[]']);
    return short === undefined ? [] : [short];
  });
  return uniqueBy(texts, volumeTarget);
}

function longVolume(volume: MapNode, path: Path): string | undefined {
  const type = optionalText(volume, 'type', path);
  if (type !== 'bind' && type !== 'volume') return undefined;
  const target = optionalText(volume, 'target', path);
  if (target === undefined) throw bakeError(`service volume ${dotted(path)} is missing a mount target`, volume.range, 'Give the volume a target:.');
  const source = optionalText(volume, 'source', path);
  const options: string[] = [];
  if (optionalBool(volume, 'read_only', path)) options.push('ro');
  const bind = optionalMap(volume, 'bind', path);
  const selinux = bind && optionalText(bind, 'selinux', [...path, 'bind']);
  if (selinux) options.push(selinux);
  const propagation = bind && optionalText(bind, 'propagation', [...path, 'bind']);
  if (propagation) options.push(propagation);
  const options2 = optionalMap(volume, 'volume', path);
  if (options2 && optionalBool(options2, 'nocopy', [...path, 'volume'])) options.push('nocopy');
  const consistency = optionalText(volume, 'consistency', path);
  if (consistency) options.push(consistency);
  const mount = source ? `${source}:${target}` : target;
  return options.length ? `${mount}:${options.join(',')}` : mount;
}

function volumeTarget(text: string): string {
  const parts = text.split(':');
  return (parts.length === 1 ? parts[0] : parts[1]) ?? '';
}

/** compose's EnforceUnicity: a later item with the same key replaces an earlier one, in its place. */
function uniqueBy(items: readonly string[], key: (item: string) => string): string[] {
  const out: string[] = [];
  const index = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    const at = index.get(k);
    if (at === undefined) {
      index.set(k, out.length);
      out.push(item);
    } else out[at] = item;
  }
  return out;
}
