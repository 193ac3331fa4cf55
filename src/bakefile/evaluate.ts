/**
 * Evaluates merged bake files into groups, targets and services, following
 * buildx's hclparser. Its parts, one module each under evaluate/: top-level
 * attributes and `variable` blocks resolve lazily (variables.ts: env
 * overrides, typed values, validation), user `function` blocks
 * (functions.ts), `matrix` + `name` expansion (matrix.ts), `target.NAME.ATTR`
 * references resolved one attribute at a time with cycle detection
 * (blocks.ts, cycles.ts), block schemas (schemas.ts). This module collects the
 * blocks, answers names for expressions, and merges duplicate blocks.
 * Pure: the environment arrives through `lookupVar`.
 */
import { dedupe } from '../core/collections.js';
import type { Diagnostic, SourceRange } from '../core/diagnostics.js';
import type { Attribute, Block, File } from './hcl/ast.js';
import type { BakeFunction, FunctionWorld } from './expr/function.js';
import { Scope, type RootResolver } from './expr/scope.js';
import { STDLIB } from './expr/stdlib/index.js';
import type { Value } from './expr/value.js';
import type { Group, Service, Target } from './model.js';
import { mergeService, mergeTarget } from './merge.js';
import { withOriginOf } from './sources.js';
import { BlockValues } from './evaluate/blocks.js';
import { singleLabel } from './evaluate/bodies.js';
import { EvaluationStack } from './evaluate/cycles.js';
import { readFunction, UserFunctions, type FunctionDef } from './evaluate/functions.js';
import { SCHEMAS, warnIgnored, type BlockKind } from './evaluate/schemas.js';
import { readVariable, Variables, type VariableDef, type VariableInfo } from './evaluate/variables.js';

export interface EvaluateOptions {
  /** `--var` values first, then the environment (unless env lookup is disabled). */
  readonly lookupVar: (name: string) => string | undefined;
  /** Built-in variables: BAKE_CMD_CONTEXT, BAKE_LOCAL_PLATFORM. */
  readonly builtins: ReadonlyMap<string, string>;
  readonly world: FunctionWorld;
  readonly warn: (d: Diagnostic) => void;
}

export interface EvaluatedFiles {
  readonly groups: Group[];
  readonly targets: Target[];
  readonly services: Service[];
  readonly variables: VariableInfo[];
}

/** Targets, groups and services already read from compose files, merged under the HCL ones as buildx does. */
export interface BaseConfig {
  readonly groups: readonly Group[];
  readonly targets: readonly Target[];
  readonly services: readonly Service[];
}

const KNOWN_TOP_BLOCKS = new Set(['target', 'group', 'service', 'variable', 'function']);

export function evaluateFiles(files: readonly File[], base: BaseConfig, options: EvaluateOptions): EvaluatedFiles {
  return new BakeEvaluator(files, options).run(base);
}

/** The root resolver of every expression in the files: names are variables, global attributes or block types; functions are the standard library's or user functions. */
class BakeEvaluator implements RootResolver {
  readonly world: FunctionWorld;
  private readonly variableDefs = new Map<string, VariableDef>();
  private readonly attributes = new Map<string, Attribute>();
  private readonly functionDefs = new Map<string, FunctionDef>();
  private readonly blocks: Block[] = [];
  private readonly variables: Variables;
  private readonly functions: UserFunctions;
  private readonly blockValues: BlockValues;

  constructor(
    files: readonly File[],
    private readonly options: EvaluateOptions,
  ) {
    this.world = options.world;
    for (const file of files) this.collect(file);
    const globalScope = Scope.of(this);
    const stack = new EvaluationStack();
    this.variables = new Variables(this.variableDefs, this.attributes, options.builtins, options.lookupVar, globalScope, stack);
    this.functions = new UserFunctions(this.functionDefs, globalScope);
    this.blockValues = new BlockValues(this.blocks, globalScope, stack);
  }

  /** Splits each file's body into variables, functions, global attributes and blocks; later files win. */
  private collect(file: File): void {
    for (const attr of file.body.attributes) {
      if (this.options.builtins.has(attr.name) || KNOWN_TOP_BLOCKS.has(attr.name)) continue;
      this.attributes.set(attr.name, attr);
    }
    for (const block of file.body.blocks) {
      if (block.type === 'variable' || block.type === 'function') {
        const name = singleLabel(block);
        if (this.options.builtins.has(name)) continue;
        if (block.type === 'variable') this.variableDefs.set(name, readVariable(block));
        else this.functionDefs.set(name, readFunction(block));
        continue;
      }
      if (!(block.type in SCHEMAS)) {
        this.options.warn({
          severity: 'warning',
          summary: `Unknown block type "${block.type}" is ignored`,
          range: block.typeRange,
          fix: 'Use target, group, service, variable or function.',
        });
        continue;
      }
      this.blocks.push(block);
    }
  }

  run(base: BaseConfig): EvaluatedFiles {
    const variables = this.variables.list();
    this.variables.validate();
    for (const name of this.functionDefs.keys()) this.function(name);
    this.blockValues.resolveNames();
    for (const block of this.blocks) warnIgnored(block, this.options.warn);

    const groups = new NamedList<Group>(base.groups.map((g) => withOriginOf(g, { ...g, targets: [...g.targets] })));
    const targets = new NamedList<Target>(base.targets.map((t) => withOriginOf(t, { ...t })));
    const services = new NamedList<Service>(base.services.map((s) => withOriginOf(s, { ...s })));
    const replace = <T>(_old: T, next: T): T => next;
    const renamed = new Map<string, string[]>();
    for (const block of this.blocks) {
      for (const instance of this.blockValues.instancesOf(block)) {
        const decoded = this.blockValues.decode(instance);
        if (instance.kind === 'group') groups.upsert(decoded as unknown as Group, replace);
        else if (instance.kind === 'target') targets.upsert(decoded as unknown as Target, mergeTarget);
        else services.upsert(decoded as unknown as Service, mergeService);
      }
      const label = block.labels[0] as string;
      if (block.type !== 'group') renamed.set(label, [...(renamed.get(label) ?? []), ...this.blockValues.instancesOf(block).map((i) => i.name)]);
    }
    // A matrix or name renames its block; buildx adds a group under the original label listing
    // every name that label's blocks took, unless the files already define a group by that name.
    for (const [label, names] of renamed) {
      const listed = dedupe(names);
      if (!(listed.length === 1 && listed[0] === label) && !groups.has(label)) groups.upsert({ name: label, targets: listed }, replace);
    }
    for (const [name, attr] of this.attributes) this.variable(name, attr.nameRange);
    return {
      groups: groups.items.map((g) => withOriginOf(g, { ...g, targets: dedupe(g.targets) })),
      targets: targets.items,
      services: services.items,
      variables,
    };
  }

  variable(name: string, range: SourceRange): Value | undefined {
    if (name in SCHEMAS) return this.blockValues.typeValue(name as BlockKind);
    return this.variables.value(name, range);
  }

  function(name: string): BakeFunction | undefined {
    return STDLIB.get(name) ?? this.functions.get(name);
  }
}

/** Definitions in first-seen order, found by name in constant time; a repeated name merges into the first. */
class NamedList<T extends { name: string }> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  constructor(initial: readonly T[]) {
    for (const item of initial) this.upsert(item, (_old, next) => next);
  }
  has(name: string): boolean {
    return this.index.has(name);
  }
  upsert(item: T, merge: (old: T, next: T) => T): void {
    const i = this.index.get(item.name);
    if (i === undefined) {
      this.index.set(item.name, this.items.length);
      this.items.push(item);
    } else this.items[i] = merge(this.items[i] as T, item);
  }
}
