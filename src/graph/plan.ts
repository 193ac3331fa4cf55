/**
 * The build graph of one `bake` run (product.md §3): a node for every target
 * that resolved (requested and linked), an edge from each `target:NAME`
 * context to the target that reads it. Pure: the scheduler runs it.
 */
import { bakeError } from '../core/diagnostics.js';
import type { ResolvedConfig } from '../bakefile/resolve.js';
import type { Target } from '../bakefile/model.js';
import { attributeRange } from '../bakefile/sources.js';

export interface GraphNode {
  readonly name: string;
  readonly target: Target;
  /** Targets this one reads through `target:` contexts, by name. */
  readonly deps: readonly string[];
  /** Targets that read this one, by name. */
  readonly dependants: readonly string[];
}

export interface BuildGraph {
  /** Every node, by name, in name order. */
  readonly nodes: ReadonlyMap<string, GraphNode>;
  /** Every node after its deps: a depth-first walk taking nodes and deps in name order. */
  readonly order: readonly GraphNode[];
}

const TARGET_PREFIX = 'target:';

/**
 * Plans the run. resolveTargets already rejects unknown links and cycles
 * (buildx's loadLinks); the checks here keep the graph sound for any
 * ResolvedConfig, with the same first sentences.
 */
export function planBuild(resolved: ResolvedConfig): BuildGraph {
  const names = [...resolved.targets.keys()].sort();
  const deps = new Map<string, string[]>();
  const dependants = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const name of names) {
    const target = resolved.targets.get(name) as Target;
    const contexts = target.contexts ?? {};
    const own: string[] = [];
    // Keys in order, as loadLinks walks them, so the same link is reported first.
    for (const key of Object.keys(contexts).sort()) {
      const value = contexts[key] as string;
      if (!value.startsWith(TARGET_PREFIX)) continue;
      const dep = value.slice(TARGET_PREFIX.length);
      const range = attributeRange(target, 'contexts');
      if (dep === name) throw bakeError(`target ${dep} cannot link to itself`, range, `Point contexts.${key} at another target.`);
      const list = dependants.get(dep);
      if (!list) throw bakeError(`failed to find target ${dep}`, range, `Define target "${dep}" or point contexts.${key} elsewhere.`);
      if (own.includes(dep)) continue;
      own.push(dep);
      list.push(name);
    }
    deps.set(name, own.sort());
  }

  const nodes = new Map<string, GraphNode>(
    names.map((name) => [
      name,
      { name, target: resolved.targets.get(name) as Target, deps: deps.get(name) as string[], dependants: dependants.get(name) as string[] },
    ]),
  );
  const order: GraphNode[] = [];
  // A name is in `onPath` while its deps are being walked; meeting it again there closes a cycle.
  const onPath: string[] = [];
  const done = new Set<string>();
  const visit = (node: GraphNode): void => {
    if (done.has(node.name)) return;
    onPath.push(node.name);
    for (const dep of node.deps) {
      if (onPath.includes(dep)) {
        const cycle = [...onPath.slice(onPath.indexOf(dep)), dep].join(' → ');
        throw bakeError(
          `infinite loop from ${node.name} to ${dep}`,
          attributeRange(node.target, 'contexts'),
          'Remove one of these target: contexts so the chain ends.',
          cycle,
        );
      }
      visit(nodes.get(dep) as GraphNode);
    }
    onPath.pop();
    done.add(node.name);
    order.push(node);
  };
  for (const node of nodes.values()) visit(node);
  return { nodes, order };
}
