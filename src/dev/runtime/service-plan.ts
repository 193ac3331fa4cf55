/**
 * One service to run, and the plan a container carries in its
 * `dev.bake.plan` label, so that a new server can recover the session from
 * the engine alone. Labels are readable
 * by anyone who can list containers and are kept in every image committed
 * from one, so environment values stay out: only their names are written,
 * and a recovered plan takes the values from the container's own Env, which
 * holds exactly what the service was started with.
 */
import type { Service } from '../../bakefile/model.js';

/** One service to run, with the image the client chose for it. */
export interface ServicePlan {
  readonly service: Service;
  /** image ref or ID; absent for runs_on = "host" */
  readonly image?: string;
  /** where relative paths resolve: the first bake file's directory */
  readonly projectDir: string;
}

export function planLabel(plan: ServicePlan): string {
  const { environment, ...rest } = plan.service;
  const service: Service = environment ? { ...rest, environment: Object.fromEntries(Object.keys(environment).map((name) => [name, null])) } : rest;
  return JSON.stringify({ service, image: plan.image, projectDir: plan.projectDir });
}

/** The plan a label describes, its environment's values read from the container's Env; undefined for a label that is no plan. */
export function recoveredPlan(label: string | undefined, containerEnv: readonly string[]): ServicePlan | undefined {
  if (!label) return undefined;
  let plan: ServicePlan;
  try {
    plan = JSON.parse(label) as ServicePlan;
  } catch {
    return undefined;
  }
  const names = Object.keys(plan.service.environment ?? {});
  if (!names.length) return plan;
  const values = new Map(containerEnv.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  // A name the container lacks was a client variable the client did not have: null still says so.
  return { ...plan, service: { ...plan.service, environment: Object.fromEntries(names.map((name) => [name, values.get(name) ?? null])) } };
}
