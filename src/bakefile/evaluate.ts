/**
 * Evaluates merged bake files into groups, targets and services, following
 * buildx's hclparser: top-level attributes and `variable` blocks resolve
 * lazily (env overrides, typed values, validation), user `function` blocks,
 * `matrix` + `name` expansion, `target.NAME.ATTR` references resolved one
 * attribute at a time with cycle detection, and duplicate blocks merged.
 * Pure: the environment arrives through `lookupVar`.
 */
import { dedupe } from '../core/collections.js';
import { nameSuggestion } from '../core/suggest.js';
import { BakeFileError, bakeError, type Diagnostic, type SourceRange } from '../core/diagnostics.js';
import type { Attribute, Block, Expr, File } from './hcl/ast.js';
import { functionCalls, rootNames } from './hcl/walk.js';
import { evaluate, evalError, EVALUATOR_FUNCTIONS } from './expr/evaluate.js';
import type { BakeFunction, FunctionWorld } from './expr/function.js';
import { Scope, type RootResolver } from './expr/scope.js';
import { STDLIB } from './expr/stdlib/index.js';
import { typeExprText, typeFromExpr } from './expr/typeexpr.js';
import { convert, ConversionError, friendlyTypeName, T, type Type } from './expr/types.js';
import { userFunction } from './expr/userfunc.js';
import { asMapValue, formatNumber, isList, isObject, makeObject, sortedKeys, type ObjectValue, type Value } from './expr/value.js';
import { decodeAttribute, type DecodedField } from './decode.js';
import { entryToValue, type EntryKind } from './entries.js';
import { GROUP_ATTRIBUTES, HEALTHCHECK_ATTRIBUTES, SERVICE_ATTRIBUTES, TARGET_ATTRIBUTES, type AttributeSpec, type Entry, type Group, type Service, type Target } from './model.js';
import { recordOrigin, withOriginOf } from './sources.js';
import { EnvValueError, primitiveEnvValue, typedEnvValue } from './variable-env.js';
import { mergeService, mergeTarget } from './merge.js';

export interface EvaluateOptions {
  /** `--var` values first, then the environment (unless env lookup is disabled). */
  readonly lookupVar: (name: string) => string | undefined;
  /** Built-in variables: BAKE_CMD_CONTEXT, BAKE_LOCAL_PLATFORM. */
  readonly builtins: ReadonlyMap<string, string>;
  readonly world: FunctionWorld;
  readonly warn: (d: Diagnostic) => void;
}

/** A variable as `--list variables` shows it. */
export interface VariableInfo {
  readonly name: string;
  readonly type?: string;
  readonly value?: string;
  readonly description?: string;
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

type BlockKind = 'target' | 'group' | 'service';

interface BlockSchema {
  readonly attributes: readonly AttributeSpec[];
  readonly required: readonly string[];
  readonly allowsMatrix: boolean;
  /**
   * Attributes and nested blocks the schema does not know are ignored with a
   * warning instead of refused. buildx decodes targets and groups with a
   * gohcl fork that takes the body's partial content, so old and current
   * buildx skip them without evaluating them (issue 16, cause 6: docker/docs'
   * own bake file sets `provenance = false`). Services are ours: strict.
   */
  readonly ignoresUnknown: boolean;
}

const SCHEMAS: Readonly<Record<BlockKind, BlockSchema>> = {
  target: { attributes: TARGET_ATTRIBUTES, required: [], allowsMatrix: true, ignoresUnknown: true },
  group: { attributes: GROUP_ATTRIBUTES, required: ['targets'], allowsMatrix: false, ignoresUnknown: true },
  service: { attributes: SERVICE_ATTRIBUTES, required: [], allowsMatrix: true, ignoresUnknown: false },
};

/**
 * Target attributes of current buildx that bake reads past without using, and
 * why. `policy` (Rego source policies, util/buildflags PolicyConfig) is a
 * security control: skipping it silently would let a user believe it holds.
 * It is not printed either, since what buildx prints for it (Go's default
 * encoding of PolicyConfig) could not be checked against a current buildx.
 */
const NOT_ENFORCED_TARGET_ATTRIBUTES: Readonly<Record<string, string>> = {
  policy: 'bake does not evaluate source policies (current buildx does), so the build runs without it',
};

const VALID_NAME = /^[a-zA-Z0-9_-]+$/;
const KNOWN_TOP_BLOCKS = new Set(['target', 'group', 'service', 'variable', 'function']);

interface VariableDef {
  readonly block: Block;
  readonly defaultAttr: Attribute | undefined;
  readonly type: Type | undefined;
  readonly description: string | undefined;
  readonly validations: readonly Block[];
}

interface FunctionDef {
  readonly block: Block;
  readonly attrs: ReadonlyMap<string, Attribute>;
}

/** One evaluation of a block: the block itself, or one matrix combination of it. */
interface BlockInstance {
  readonly kind: BlockKind;
  readonly block: Block;
  readonly scope: Scope;
  name: string;
  readonly values: Map<string, Value>;
  readonly inProgress: Set<string>;
}

export function evaluateFiles(files: readonly File[], base: BaseConfig, options: EvaluateOptions): EvaluatedFiles {
  return new BakeEvaluator(files, options).run(base);
}

class BakeEvaluator implements RootResolver {
  readonly world: FunctionWorld;
  private readonly vars = new Map<string, VariableDef>();
  private readonly attrs = new Map<string, Attribute>();
  private readonly funcDefs = new Map<string, FunctionDef>();
  private readonly blocks: Block[] = [];
  private readonly values = new Map<string, Value>();
  private readonly resolving: string[] = [];
  /** Expressions being evaluated for variables and block attributes, innermost last: where buildx reports cycles. */
  private readonly evaluating: Expr[] = [];
  private readonly funcs = new Map<string, BakeFunction>();
  private readonly resolvingFuncs: string[] = [];
  private readonly globalScope: Scope;
  private instancesByBlock = new Map<Block, BlockInstance[]>();
  private namesResolved = false;
  private readonly blockValueProxies = new Map<BlockKind, Value>();

  constructor(
    files: readonly File[],
    private readonly options: EvaluateOptions,
  ) {
    this.world = options.world;
    this.globalScope = Scope.of(this);
    for (const file of files) this.collect(file);
  }

  /** Splits each file's body into variables, functions, global attributes and blocks; later files win. */
  private collect(file: File): void {
    for (const attr of file.body.attributes) {
      if (this.options.builtins.has(attr.name) || KNOWN_TOP_BLOCKS.has(attr.name)) continue;
      this.attrs.set(attr.name, attr);
    }
    for (const block of file.body.blocks) {
      if (block.type === 'variable' || block.type === 'function') {
        const name = singleLabel(block);
        if (this.options.builtins.has(name)) continue;
        if (block.type === 'variable') this.vars.set(name, readVariable(block));
        else this.funcDefs.set(name, readFunction(block));
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
    const variables = [...this.vars.keys()].sort().map((name) => this.describeVariable(name));
    this.validateVariables();
    for (const name of this.funcDefs.keys()) this.function(name);
    this.resolveNames();
    for (const block of this.blocks) this.warnIgnored(block);

    const groups = new NamedList<Group>(base.groups.map((g) => withOriginOf(g, { ...g, targets: [...g.targets] })));
    const targets = new NamedList<Target>(base.targets.map((t) => withOriginOf(t, { ...t })));
    const services = new NamedList<Service>(base.services.map((s) => withOriginOf(s, { ...s })));
    const replace = <T>(_old: T, next: T): T => next;
    const renamed = new Map<string, string[]>();
    for (const block of this.blocks) {
      for (const instance of this.instancesByBlock.get(block) ?? []) {
        const decoded = this.decodeInstance(instance);
        if (instance.kind === 'group') groups.upsert(decoded as unknown as Group, replace);
        else if (instance.kind === 'target') targets.upsert(decoded as unknown as Target, mergeTarget);
        else services.upsert(decoded as unknown as Service, mergeService);
      }
      const label = block.labels[0] as string;
      if (block.type !== 'group') renamed.set(label, [...(renamed.get(label) ?? []), ...(this.instancesByBlock.get(block) ?? []).map((i) => i.name)]);
    }
    // A matrix or name renames its block; buildx adds a group under the original label listing
    // every name that label's blocks took, unless the files already define a group by that name.
    for (const [label, names] of renamed) {
      const listed = dedupe(names);
      if (!(listed.length === 1 && listed[0] === label) && !groups.has(label)) groups.upsert({ name: label, targets: listed }, replace);
    }
    for (const name of this.attrs.keys()) this.variable(name, (this.attrs.get(name) as Attribute).nameRange);
    return { groups: groups.items.map((g) => withOriginOf(g, { ...g, targets: dedupe(g.targets) })), targets: targets.items, services: services.items, variables };
  }

  // ---- names: variables and global attributes -------------------------------------------

  variable(name: string, range: SourceRange): Value | undefined {
    if (name in SCHEMAS) return this.blockTypeValue(name as BlockKind);
    if (this.values.has(name)) return this.values.get(name);
    const attr = this.attrs.get(name);
    const builtin = this.options.builtins.get(name);
    const def = this.vars.get(name);
    if (!attr && builtin === undefined && !def) return undefined;
    if (this.resolving.includes(name)) {
      const path = [...this.resolving.slice(this.resolving.indexOf(name)), name].join(' → ');
      throw evalError('Invalid expression', `variable cycle not allowed for ${name}`, this.cycleSubject(range), `Break the cycle ${path}: one of these must not refer back to another.`);
    }
    this.resolving.push(name);
    try {
      const value = this.resolveValue(name, attr, builtin, def);
      this.values.set(name, value);
      return value;
    } finally {
      this.resolving.pop();
    }
  }

  /** Evaluates a variable's or attribute's expression, remembering it for cycle reports. */
  private evaluateTracked(expr: Expr, scope: Scope): Value {
    this.evaluating.push(expr);
    try {
      return evaluate(expr, scope);
    } finally {
      this.evaluating.pop();
    }
  }

  /** buildx reports a cycle at the expression whose reference closes it: the innermost one being evaluated. */
  private cycleSubject(fallback: SourceRange): SourceRange {
    return this.evaluating[this.evaluating.length - 1]?.range ?? fallback;
  }

  private resolveValue(name: string, attr: Attribute | undefined, builtin: string | undefined, def: VariableDef | undefined): Value {
    const expr = attr?.expr ?? (builtin === undefined ? def?.defaultAttr?.expr : undefined);
    if (!expr) {
      if (builtin !== undefined) return builtin;
      // A variable without a default takes the environment's value, or "" (null when typed).
      const env = def ? this.envOverride(name, def, undefined) : undefined;
      if (env !== undefined) return env;
      return def?.type ? null : '';
    }
    let value = this.evaluateTracked(expr, this.globalScope);
    if (def?.type && !attr) value = convertVariable(def, value, `invalid type ${friendlyTypeName(def.type)} for variable ${name} default value`);
    if (def) {
      const env = this.envOverride(name, def, value);
      if (env !== undefined) return env;
    }
    return value;
  }

  /** The value a variable takes from `--var` or the environment, or undefined when neither sets it. */
  private envOverride(name: string, def: VariableDef, defaultValue: Value | undefined): Value | undefined {
    const invalid = (detail: string, fix: string): BakeFileError => bakeError('Invalid value', bodyStart(def.block), fix, detail);
    const jsonName = `${name}_JSON`;
    if (def.type) {
      // `NAME_JSON` carries a JSON value unless NAME_JSON is itself a declared or built-in variable.
      const json = this.vars.has(jsonName) || this.options.builtins.has(jsonName) ? undefined : this.options.lookupVar(jsonName);
      if (json !== undefined) {
        let parsed: Value;
        try {
          parsed = JSON.parse(json) as Value;
        } catch (e) {
          throw invalid(`failed to convert ${jsonName} from JSON: ${(e as Error).message}`, `Set ${jsonName} to valid JSON of type ${typeExprText(def.type)}.`);
        }
        return convertVariable(def, parsed, `failed to convert ${jsonName} from JSON to ${friendlyTypeName(def.type)}`);
      }
    }
    const env = this.options.lookupVar(name);
    if (env === undefined) return undefined;
    if (def.type) {
      try {
        return typedEnvValue(name, env, def.type);
      } catch (e) {
        if (e instanceof EnvValueError) throw invalid(e.message, `Set ${name} as ${typeExprText(def.type)} expects (lists as CSV), or set ${jsonName} to JSON.`);
        throw e;
      }
    }
    if (defaultValue === undefined || defaultValue === null || typeof defaultValue === 'string') return env;
    if (Array.isArray(defaultValue) || isObject(defaultValue)) {
      throw invalid(`unsupported type ${Array.isArray(defaultValue) ? 'tuple' : 'object'} for variable ${name}`, `Declare its type (e.g. type = list(string)) so ${name} can be set from the environment.`);
    }
    try {
      return primitiveEnvValue(name, env, typeof defaultValue === 'boolean' ? T.bool : T.number);
    } catch (e) {
      if (e instanceof EnvValueError) throw invalid(e.message, `Set ${name} to ${typeof defaultValue === 'boolean' ? 'true or false' : 'a number'}.`);
      throw e;
    }
  }

  private describeVariable(name: string): VariableInfo {
    const def = this.vars.get(name) as VariableDef;
    const value = this.variable(name, def.block.labelRanges[0] ?? def.block.range);
    const shown = typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : typeof value === 'number' ? formatNumber(value) : undefined;
    return {
      name,
      ...(def.type ? { type: typeExprText(def.type) } : {}),
      ...(shown !== undefined ? { value: shown } : {}),
      ...(def.description ? { description: def.description } : {}),
    };
  }

  /**
   * Validation blocks, as buildx checks them (Terraform's rules): condition and
   * error_message may be missing (null), a condition must be a bool, and every
   * failure is reported.
   */
  private validateVariables(): void {
    const failures: Diagnostic[] = [];
    const error = (summary: string, detail: string, range: SourceRange): void =>
      void failures.push({ severity: 'error', summary, detail, range, fix: summary === 'Invalid error message' ? 'Make error_message a string.' : 'Make the condition an expression that is true or false.' });
    for (const def of this.vars.values()) {
      for (const validation of def.validations) {
        const attrs = attributeMap(validation);
        const condition = attrs.get('condition');
        const conditionRange = condition?.expr.range ?? bodyStart(validation);
        const ok = condition ? evaluate(condition.expr, this.globalScope) : null;
        if (ok === null) {
          error('Invalid condition result', 'Condition expression must return either true or false, not null.', conditionRange);
          continue;
        }
        let passed: boolean;
        try {
          passed = convert(ok, T.bool) as boolean;
        } catch (e) {
          if (!(e instanceof ConversionError)) throw e;
          error('Invalid condition result', `Invalid condition result value: ${e.message}.`, conditionRange);
          continue;
        }
        if (passed) continue;
        const messageAttr = attrs.get('error_message');
        const message = messageAttr ? evaluate(messageAttr.expr, this.globalScope) : null;
        let text = 'This check failed, but has an invalid error message as described in the other accompanying messages.';
        try {
          if (message === null) throw new ConversionError('must not be null');
          text = convert(message, T.string) as string;
        } catch (e) {
          if (!(e instanceof ConversionError)) throw e;
          error('Invalid error message', `Unsuitable value for error message: ${e.message}.`, messageAttr?.expr.range ?? bodyStart(validation));
        }
        failures.push({ severity: 'error', summary: 'Validation failed', detail: text, range: conditionRange, fix: `Set ${singleLabel(def.block)} to a value that passes this condition.` });
      }
    }
    if (failures.length) throw new BakeFileError(failures);
  }

  // ---- functions -------------------------------------------------------------------------

  function(name: string): BakeFunction | undefined {
    const std = STDLIB.get(name);
    if (std) return std;
    const done = this.funcs.get(name);
    if (done) return done;
    const def = this.funcDefs.get(name);
    if (!def) return undefined;
    const params = def.attrs.get('params');
    const result = def.attrs.get('result');
    if (this.resolvingFuncs.includes(name)) {
      // Reported, as buildx does, at the result that calls back into the cycle.
      const caller = this.funcDefs.get(this.resolvingFuncs[this.resolvingFuncs.length - 1] as string) as FunctionDef;
      const path = [...this.resolvingFuncs.slice(this.resolvingFuncs.indexOf(name)), name].join(' → ');
      throw evalError('Invalid expression', `function cycle not allowed for ${name}`, (caller.attrs.get('result') as Attribute).expr.range, `Break the cycle ${path}: functions cannot call themselves.`);
    }
    // buildx reports a missing result or params at the params attribute, else at the label.
    const where = params?.range ?? def.block.labelRanges[0] ?? def.block.range;
    if (!result) throw evalError('Invalid function', `empty result not allowed for ${name}`, where, 'Add a result attribute to the function block.');
    if (!params) throw evalError('Invalid function', `empty params not allowed for ${name}`, where, 'Add params = [] (or a list of parameter names) to the function block.');
    const fn = userFunction({ params: params.expr, variadic: def.attrs.get('variadic_params')?.expr, result: result.expr }, () => this.globalScope);
    this.resolvingFuncs.push(name);
    try {
      // Resolve what the result uses now, so a missing name or a cycle is an error at definition, as in buildx.
      for (const called of functionCalls(result.expr)) {
        if (!EVALUATOR_FUNCTIONS.has(called) && !this.function(called)) {
          throw evalError('Invalid expression', `function "${called}" does not exist`, result.expr.range, 'Check the spelling, or define it with a function block.');
        }
      }
      const locals = new Set([...fn.params.map((p) => p.name), ...(fn.variadic ? [fn.variadic.name] : [])]);
      for (const [root, range] of rootNames(result.expr, locals)) {
        if (this.variable(root, range) === undefined) {
          throw evalError('Invalid expression', `variable "${root}" does not exist`, result.expr.range, `Define it with a variable "${root}" block, or make it a parameter.`);
        }
      }
    } finally {
      this.resolvingFuncs.pop();
    }
    this.funcs.set(name, fn);
    return fn;
  }

  // ---- blocks ----------------------------------------------------------------------------

  /** Expands every block into its instances and names (matrix + name), checking names as buildx does. */
  private resolveNames(): void {
    if (this.namesResolved) return;
    this.namesResolved = true;
    const instancesByBlock = new Map<Block, BlockInstance[]>();
    for (const block of this.blocks) {
      const label = singleLabel(block);
      const labelRange = block.labelRanges[0] as SourceRange;
      checkName(label, labelRange);
      const kind = block.type as BlockKind;
      const attrs = attributeMap(block);
      const matrix = attrs.get('matrix');
      const nameAttr = attrs.get('name');
      // buildx reports every naming problem ("Invalid name") at the block's label.
      if (!SCHEMAS[kind].allowsMatrix && (matrix || nameAttr)) {
        throw evalError('Invalid name', `${matrix ? 'matrix' : 'name'} is not supported for groups`, labelRange, 'Groups cannot be renamed or expanded; use a target.');
      }
      if (nameAttr && !matrix) throw evalError('Invalid name', 'name requires matrix', labelRange, 'Add a matrix attribute, or remove name.');
      const scopes = matrix ? this.matrixScopes(matrix, labelRange) : [this.globalScope];
      const instances = scopes.map((scope) => {
        const instance: BlockInstance = { kind, block, scope, name: label, values: new Map(), inProgress: new Set() };
        if (nameAttr) {
          const name = (decodeAttribute('name', 'string', evaluate(nameAttr.expr, scope), nameAttr.expr.range) as string | undefined) ?? '';
          checkName(name, labelRange);
          instance.name = name;
        }
        return instance;
      });
      const seen = new Set<string>();
      for (const i of instances) {
        if (seen.has(i.name)) throw evalError('Invalid name', `duplicate name "${i.name}"`, labelRange, 'Make the name expression use every matrix key, so each combination gets its own name.');
        seen.add(i.name);
      }
      instancesByBlock.set(block, instances);
    }
    this.instancesByBlock = instancesByBlock;
  }

  /** One scope per matrix combination; the last key varies slowest, as buildx builds them. */
  private matrixScopes(matrix: Attribute, labelRange: SourceRange): Scope[] {
    const value = evaluate(matrix.expr, this.globalScope);
    if (!isObject(value)) throw evalError('Invalid name', 'matrix must be a map', labelRange, 'Write the matrix as a map of lists, e.g. matrix = { tgt = ["a", "b"] }.');
    let combos: Array<Map<string, Value>> = [new Map<string, Value>()];
    for (const key of sortedKeys(value)) {
      const values = value[key] as Value;
      if (!isList(values)) throw evalError('Invalid name', 'matrix values must be a list', labelRange, `Make matrix.${key} a list.`);
      const next: Array<Map<string, Value>> = [];
      for (const v of values) for (const combo of combos) next.push(new Map([...combo, [key, v]]));
      combos = next;
    }
    return combos.map((locals) => this.globalScope.child(locals));
  }

  /** The lazily evaluated object behind `target`, `group` or `service` in expressions. */
  private blockTypeValue(kind: BlockKind): Value {
    const cached = this.blockValueProxies.get(kind);
    if (cached !== undefined) return cached;
    this.resolveNames();
    const byName = new Map<string, BlockInstance>();
    for (const block of this.blocks) {
      if (block.type !== kind) continue;
      // With duplicate blocks, the last one's values are what a reference sees (as in buildx).
      for (const instance of this.instancesByBlock.get(block) ?? []) byName.set(instance.name, instance);
    }
    // buildx's `target`, `group` (and our `service`) are cty maps of blocks by name.
    const value = asMapValue(lazyObject([...byName.keys()], (name) => this.instanceValue(byName.get(name) as BlockInstance)) as ObjectValue);
    this.blockValueProxies.set(kind, value);
    return value;
  }

  private instanceValue(instance: BlockInstance): Value {
    const specs = SCHEMAS[instance.kind].attributes;
    return lazyObject(['name', ...specs.map((a) => a.name)], (attr) => {
      if (attr === 'name') return instance.name;
      const value = this.instanceAttribute(instance, attr);
      // Entries are stored as printed; a reference sees them as buildx's cty values (lists, bools).
      if (value === null || specs.find((a) => a.name === attr)?.kind !== 'entries') return value;
      return (value as Entry[]).map((e) => entryToValue(attr as EntryKind, e));
    });
  }

  /** One attribute of one block instance, converted to its declared type (null when unset). */
  private instanceAttribute(instance: BlockInstance, name: string): Value {
    if (instance.values.has(name)) return instance.values.get(name) as Value;
    const attr = attributeMap(instance.block).get(name);
    if (!attr) return null;
    if (instance.inProgress.has(name)) {
      throw evalError('Invalid expression', `reference cycle not allowed for ${instance.kind}.${instance.name}.${name}`, this.cycleSubject(attr.expr.range), 'An attribute cannot depend on itself through target references.');
    }
    instance.inProgress.add(name);
    try {
      const spec = SCHEMAS[instance.kind].attributes.find((a) => a.name === name);
      const raw = this.evaluateTracked(attr.expr, instance.scope);
      const decoded = spec ? decodeAttribute(name, spec.kind, raw, attr.expr.range) : raw;
      const value = (decoded ?? null) as Value;
      instance.values.set(name, value);
      return value;
    } finally {
      instance.inProgress.delete(name);
    }
  }

  /** Once per block (not per matrix instance): the attributes and blocks a lenient schema skips. */
  private warnIgnored(block: Block): void {
    const kind = block.type as BlockKind;
    const schema = SCHEMAS[kind];
    if (!schema.ignoresUnknown) return;
    const label = `${kind} "${block.labels[0] ?? ''}"`;
    const defined = block.body.attributes.map((a) => a.name);
    for (const attr of block.body.attributes) {
      if (isKnownAttribute(schema, attr.name)) continue;
      const notEnforced = kind === 'target' ? NOT_ENFORCED_TARGET_ATTRIBUTES[attr.name] : undefined;
      if (notEnforced) {
        this.options.warn({ severity: 'warning', summary: `Attribute "${attr.name}" in ${label} is not enforced: ${notEnforced}`, range: attr.nameRange, fix: 'Build with docker buildx bake where the policy must hold, or remove it.' });
        continue;
      }
      const suggestion = attributeSuggestion(attr.name, schema.attributes, defined);
      this.options.warn({
        severity: 'warning',
        summary: `Unknown attribute "${attr.name}" in ${label} is ignored`,
        range: attr.nameRange,
        fix: suggestion ? `Did you mean "${suggestion}"? Rename it; buildx ignores it too.` : 'Remove it: buildx ignores it too, so it has no effect.',
      });
    }
    for (const nested of block.body.blocks) {
      const isAttribute = schema.attributes.some((a) => a.name === nested.type);
      this.options.warn({
        severity: 'warning',
        summary: `Unknown block type "${nested.type}" in ${label} is ignored`,
        range: nested.typeRange,
        fix: isAttribute ? `Write ${nested.type} as an attribute: ${nested.type} = ...` : `Remove it: a ${kind} takes attributes only, and buildx ignores it too.`,
      });
    }
  }

  private decodeInstance(instance: BlockInstance): Record<string, unknown> {
    const { block, kind } = instance;
    const schema = SCHEMAS[kind];
    const out: Record<string, unknown> = { name: instance.name };
    const ranges = new Map<string, SourceRange>();
    // As HCL's Body.Content: unexpected arguments and blocks are reported before any value is decoded.
    const defined = block.body.attributes.map((a) => a.name);
    if (!schema.ignoresUnknown) {
      for (const attr of block.body.attributes) {
        if (!isKnownAttribute(schema, attr.name)) throw unsupportedArgument(attr, schema.attributes, defined);
      }
      for (const nested of block.body.blocks) {
        if (!(kind === 'service' && nested.type === 'healthcheck')) throw unsupportedBlock(nested, schema.attributes, kind);
      }
    }
    for (const attr of block.body.attributes) {
      if (attr.name === 'matrix' || attr.name === 'name' || !isKnownAttribute(schema, attr.name)) continue;
      ranges.set(attr.name, attr.range);
      const value = this.instanceAttribute(instance, attr.name);
      if (value !== null) out[attr.name] = value;
    }
    for (const nested of block.body.blocks) {
      if (kind !== 'service') continue;
      out['healthcheck'] = decodeBody(nested, HEALTHCHECK_ATTRIBUTES, instance.scope);
      ranges.set('healthcheck', nested.range);
    }
    for (const req of schema.required) {
      if (!ranges.has(req)) {
        throw evalError('Missing required argument', `The argument "${req}" is required, but no definition was found.`, bodyStart(block), `Add ${req} = [...] to ${kind} "${instance.name}".`);
      }
    }
    recordOrigin(out, { label: block.labelRanges[0] ?? block.range, attributes: ranges });
    return out;
  }
}

/** Decodes a nested block with no laziness (healthcheck). */
function decodeBody(block: Block, specs: readonly AttributeSpec[], scope: Scope): Record<string, DecodedField> {
  const out: Record<string, DecodedField> = {};
  for (const attr of block.body.attributes) {
    const spec = specs.find((s) => s.name === attr.name);
    if (!spec) throw unsupportedArgument(attr, specs, block.body.attributes.map((a) => a.name));
    const v = decodeAttribute(attr.name, spec.kind, evaluate(attr.expr, scope), attr.expr.range);
    if (v !== undefined) out[attr.name] = v;
  }
  return out;
}

function isKnownAttribute(schema: BlockSchema, name: string): boolean {
  return name === 'matrix' || name === 'name' || schema.attributes.some((a) => a.name === name);
}

/** An attribute of the schema within edit distance 2 that the block does not define yet. */
function attributeSuggestion(name: string, specs: readonly AttributeSpec[], defined: readonly string[]): string | undefined {
  return nameSuggestion(name, specs.map((s) => s.name).filter((n) => !defined.includes(n)).sort());
}

/** HCL's "Unsupported argument", suggesting a not yet defined attribute within edit distance 2. */
function unsupportedArgument(attr: Attribute, specs: readonly AttributeSpec[], defined: readonly string[]): BakeFileError {
  const suggestion = attributeSuggestion(attr.name, specs, defined);
  return evalError(
    'Unsupported argument',
    `An argument named "${attr.name}" is not expected here.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
    attr.nameRange,
    suggestion ? `Rename it to "${suggestion}".` : 'Remove it; see the bake file reference for the attributes this block takes.',
  );
}

function unsupportedBlock(block: Block, specs: readonly AttributeSpec[], kind: BlockKind): BakeFileError {
  const hint = kind === 'service' && nameSuggestion(block.type, ['healthcheck']) ? ' Did you mean "healthcheck"?' : specs.some((s) => s.name === block.type) ? ` Did you mean to define argument "${block.type}"? If so, use the equals sign to assign it a value.` : '';
  return evalError('Unsupported block type', `Blocks of type "${block.type}" are not expected here.${hint}`, block.typeRange, kind === 'service' ? 'Only healthcheck blocks are allowed in a service.' : `Write ${block.type} as an attribute: ${block.type} = ...`);
}

/**
 * An object whose properties are computed on first access: block references
 * evaluate only the attribute they name, so `target.a.tags` may be used by
 * target b while b's other attributes are used by a, as in buildx.
 */
function lazyObject(keys: readonly string[], compute: (key: string) => Value): Value {
  const known = new Set(keys);
  const cache = new Map<string, Value>();
  const get = (key: string): Value => {
    if (!cache.has(key)) cache.set(key, compute(key));
    return cache.get(key) as Value;
  };
  return new Proxy(makeObject(), {
    has: (_t, key) => typeof key === 'string' && known.has(key),
    get: (_t, key) => (typeof key === 'string' && known.has(key) ? get(key) : undefined),
    ownKeys: () => [...known],
    getOwnPropertyDescriptor: (_t, key) => (typeof key === 'string' && known.has(key) ? { value: get(key), enumerable: true, configurable: true, writable: false } : undefined),
  });
}

function singleLabel(block: Block): string {
  if (block.labels.length !== 1) {
    throw evalError('Invalid block', `invalid block label: [${block.labels.join(' ')}]`, block.labelRanges[0] ?? block.typeRange, `Give the ${block.type} block exactly one name: ${block.type} "name" { ... }.`);
  }
  return block.labels[0] as string;
}

function checkName(name: string, range: SourceRange): void {
  if (!VALID_NAME.test(name)) {
    throw evalError('Invalid name', `only "[a-zA-Z0-9_-]+" are allowed`, range, `Rename "${name}" using only letters, digits, "_" and "-".`);
  }
}

const attributeMaps = new WeakMap<Block, Map<string, Attribute>>();

/** A block's attributes by name (cached: block references look them up repeatedly). */
function attributeMap(block: Block): Map<string, Attribute> {
  let map = attributeMaps.get(block);
  if (!map) {
    map = new Map(block.body.attributes.map((a) => [a.name, a]));
    attributeMaps.set(block, map);
  }
  return map;
}

function readVariable(block: Block): VariableDef {
  const attrs = attributeMap(block);
  const typeAttr = attrs.get('type');
  const description = attrs.get('description');
  const descriptionText = description && (decodeAttribute('description', 'string', evaluate(description.expr, Scope.of(NO_NAMES)), description.expr.range) as string | undefined);
  return {
    block,
    defaultAttr: attrs.get('default'),
    type: typeAttr ? typeFromExpr(typeAttr.expr) : undefined,
    description: descriptionText,
    validations: block.body.blocks.filter((b) => b.type === 'validation'),
  };
}

function readFunction(block: Block): FunctionDef {
  const attrs = attributeMap(block);
  for (const attr of attrs.values()) {
    if (!['params', 'variadic_params', 'result'].includes(attr.name)) throw unsupportedArgument(attr, [{ name: 'params', kind: 'stringList' }, { name: 'variadic_params', kind: 'string' }, { name: 'result', kind: 'string' }], [...attrs.keys()]);
  }
  return { block, attrs };
}

/** Descriptions are literal strings: no names resolve in them. */
const NO_NAMES: RootResolver = {
  variable: () => undefined,
  function: (name) => STDLIB.get(name),
  world: { now: () => new Date(0), homedir: () => '' },
};

/** A typed variable's value in its type; a mismatch is an "Invalid value" at the variable, as buildx reports it. */
function convertVariable(def: VariableDef, value: Value, what: string): Value {
  const type = def.type as Type;
  try {
    return convert(value, type);
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    const name = singleLabel(def.block);
    throw bakeError('Invalid value', bodyStart(def.block), `Give ${name} a value of type ${typeExprText(type)}.`, `${what}: ${e.message}`);
  }
}

/** A block body's missing-item range (its opening brace), where HCL reports what the body lacks. */
function bodyStart(block: Block): SourceRange {
  const { start } = block.body.range;
  return { filename: block.body.range.filename, start, end: start };
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

