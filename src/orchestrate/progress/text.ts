/** Text every progress view shares: a failure as buildx prints it, and byte counts. */
import { renderDiagnostic } from '../../core/error-text.js';
import type { ErrorEvent } from '../../core/progress.js';

/** The failure as buildx prints it: the failing step, the Dockerfile lines with `>>>`, then the error. */
export function errorText(e: ErrorEvent, names?: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  const step = e.vertex && names?.get(e.vertex);
  if (step) out.push('------', ` > ${step}:`, '------');
  if (e.source?.lines.length) {
    const first = e.source.lines.find((l) => l.failing) ?? e.source.lines[0];
    out.push(`${e.source.filename}:${first?.line ?? 1}`, '--------------------');
    const width = String(e.source.lines[e.source.lines.length - 1]?.line ?? 1).length;
    for (const l of e.source.lines) out.push(` ${String(l.line).padStart(width + 2)} | ${l.failing ? '>>>' : '   '} ${l.text}`);
    out.push('--------------------');
  }
  const fix = FIXES.find(([pattern]) => pattern.test(e.message))?.[1];
  out.push(renderDiagnostic({ severity: 'error', summary: `failed to build ${e.target}: ${e.message}`, ...(fix ? { fix } : {}) }, new Map()));
  return `${out.join('\n')}\n`;
}

/** Fixes for engine failures users meet and cannot guess from BuildKit's words. */
const FIXES: readonly [RegExp, string][] = [
  [
    /pulling from host \S+ failed with status code \[[^\]]*\]: 401 Unauthorized/,
    'Run docker login for that registry, or fix its auths entry in $DOCKER_CONFIG/config.json (~/.docker/config.json).',
  ],
  [
    /network bridge not found/,
    'The engine has no bridge network: set network = "none" (or "host") on the target, or build on the engine `bake engine start` runs.',
  ],
  [
    /unsupported frontend capability moby\.buildkit\.frontend\.inputs/,
    'This BuildKit predates v0.8: update the engine (Docker 20.10 or later), or point --builder at a newer BuildKit.',
  ],
];

/** Decimal units, as buildx prints transfers. */
export function bytes(n: number): string {
  if (n < 1000) return `${n}B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(2)}kB`;
  return `${(n / 1e6).toFixed(2)}MB`;
}
