/**
 * Evaluates merged bake files into groups, targets and services, following
 * buildx's hclparser: top-level attributes and `variable` blocks resolve
 * lazily (env overrides, typed values, validation), user `function` blocks,
 * `matrix` + `name` expansion, `target.NAME.ATTR` references resolved one
 * attribute at a time with cycle detection, and duplicate blocks merged.
 * Pure: the environment arrives through `lookupVar`.
 */
import { BakeFileError, bakeError, type Diagnostic, type SourceRange } from '../core/diagnostics.js';
import type { Attribute, Block, Expr, File } from './hcl/ast.js';
import { evaluate, evalError } from './expr/evaluate.js';
import type { BakeFunction, FunctionWorld } from './expr/function.js';
import { Scope, type RootResolver } from './expr/scope.js';
import { STDLIB } from './expr/stdlib/index.js';
import { typeFromExpr } from './expr/typeexpr.js';
import { convert, ConversionError, friendlyTypeName, parseNumber, type Type } from './expr/types.js';
import { goParseBoolError, parseGoBool } from './golang.js';
import { userFunction } from './expr/userfunc.js';
import { formatNumber, isObject, makeObject, sortedKeys, type Value } from './expr/value.js';
import { decodeAttribute, type DecodedField } from './decode.js';
import { parseCsvFields } from './entries.js';
import { GROUP_ATTRIBUTES, HEALTHCHECK_ATTRIBUTES, SERVICE_ATTRIBUTES, TARGET_ATTRIBUTES, type AttributeSpec, type Group, type Service, type Target } from './model.js';
import { recordOrigin, withOriginOf } from './sources.js';
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
}

const SCHEMAS: Readonly<Record<BlockKind, BlockSchema>> = {
  target: { attributes: TARGET_ATTRIBUTES, required: [], allowsMatrix: true },
  group: { attributes: GROUP_ATTRIBUTES, required: ['targets'], allowsMatrix: false },
  service: { attributes: SERVICE_ATTRIBUTES, required: [], allowsMatrix: true },
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

    const groups = new NamedList<Group>(base.groups.map((g) => withOriginOf(g, { ...g, targets: [...g.targets] })));
    const targets = new NamedList<Target>(base.targets.map((t) => withOriginOf(t, { ...t })));
    const services = new NamedList<Service>(base.services.map((s) => withOriginOf(s, { ...s })));
    const replace = <T>(_old: T, next: T): T => next;
    for (const block of this.blocks) {
      for (const instance of this.instancesByBlock.get(block) ?? []) {
        const decoded = this.decodeInstance(instance);
        if (instance.kind === 'group') groups.upsert(decoded as unknown as Group, replace);
        else if (instance.kind === 'target') targets.upsert(decoded as unknown as Target, mergeTarget);
        else services.upsert(decoded as unknown as Service, mergeService);
      }
      const names = (this.instancesByBlock.get(block) ?? []).map((i) => i.name);
      const label = block.labels[0] as string;
      // A matrix renames its block; buildx adds a group under the original label.
      if (block.type !== 'group' && !(names.length === 1 && names[0] === label)) {
        groups.upsert({ name: label, targets: dedupe(names) }, replace);
      }
    }
    for (const name of this.attrs.keys()) this.variable(name, (this.attrs.get(name) as Attribute).nameRange);
    return { groups: groups.items.map((g) => withOriginOf(g, { ...g, targets: dedupe(g.targets) })), targets: targets.items, services: services.items, variables };
  }

  // ---- names: variables and global attributes -------------------------------------------

  variable(name: string, range: SourceRange): Value | undefined {
    if (name in SCHEMAS) return this.blockTypeValue(name as BlockKind);
    if (this.values.has(name)) return this.values.get(name) as Value;
    const attr = this.attrs.get(name);
    const builtin = this.options.builtins.get(name);
    const def = this.vars.get(name);
    if (!attr && builtin === undefined && !def) return undefined;
    if (this.resolving.includes(name)) {
      const path = [...this.resolving.slice(this.resolving.indexOf(name)), name].join(' → ');
      throw evalError('Invalid expression', `variable cycle not allowed for ${name}`, range, `Break the cycle ${path}: one of these must not refer back to another.`);
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

  private resolveValue(name: string, attr: Attribute | undefined, builtin: string | undefined, def: VariableDef | undefined): Value {
    const expr = attr?.expr ?? (builtin === undefined ? def?.defaultAttr?.expr : undefined);
    if (!expr) {
      if (builtin !== undefined) return builtin;
      // A variable without a default takes the environment's value, or "" (null when typed).
      const env = def ? this.envOverride(name, def, undefined) : undefined;
      if (env !== undefined) return env;
      return def?.type ? null : '';
    }
    let value = evaluate(expr, this.globalScope);
    if (def?.type && !attr) value = convertVariable(name, value, def.type, expr.range, 'Invalid default value for variable');
    if (def) {
      const env = this.envOverride(name, def, value);
      if (env !== undefined) return env;
    }
    return value;
  }

  /** The value a variable takes from `--var` or the environment, or undefined when neither sets it. */
  private envOverride(name: string, def: VariableDef, defaultValue: Value | undefined): Value | undefined {
    const range = def.defaultAttr?.range ?? def.block.labelRanges[0] ?? def.block.range;
    if (def.type) {
      // `NAME_JSON` carries a JSON value unless NAME_JSON is itself a declared variable.
      const json = this.vars.has(`${name}_JSON`) ? undefined : this.options.lookupVar(`${name}_JSON`);
      if (json !== undefined) {
        let parsed: Value;
        try {
          parsed = JSON.parse(json) as Value;
        } catch (e) {
          throw bakeError('Invalid value', range, `Set ${name}_JSON to valid JSON of type ${typeExprText(def.type)}.`, `failed to parse ${name}_JSON as JSON: ${(e as Error).message}`);
        }
        return convertVariable(name, parsed, def.type, range, 'Invalid value');
      }
    }
    const env = this.options.lookupVar(name);
    if (env === undefined) return undefined;
    if (def.type) return convertVariable(name, parseTypedEnv(name, env, def.type, range), def.type, range, 'Invalid value');
    if (defaultValue === undefined || defaultValue === null || typeof defaultValue === 'string') return env;
    if (typeof defaultValue === 'boolean') {
      const b = parseGoBool(env);
      if (b === undefined) throw bakeError('Invalid value', range, `Set ${name} to true or false.`, `failed to parse ${name} as bool: ${goParseBoolError(env)}`);
      return b;
    }
    if (typeof defaultValue === 'number') {
      const n = parseNumber(env.trim()) ?? (/^[+-]?(inf|infinity|nan)$/i.test(env) ? NaN : undefined);
      if (n === undefined || !Number.isFinite(n)) {
        throw bakeError('Invalid value', range, `Set ${name} to a number.`, `failed to parse ${name} as number: ${n === undefined ? `strconv.ParseFloat: parsing ${JSON.stringify(env)}: invalid syntax` : 'invalid number value'}`);
      }
      return n;
    }
    const typeName = Array.isArray(defaultValue) ? 'tuple' : 'object';
    throw bakeError('Invalid value', range, `Declare its type (e.g. type = list(string)) so ${name} can be set from the environment.`, `unsupported type ${typeName} for variable ${name}`);
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

  private validateVariables(): void {
    const failures: Diagnostic[] = [];
    for (const def of this.vars.values()) {
      for (const validation of def.validations) {
        const attrs = attributeMap(validation);
        const condition = attrs.get('condition');
        const message = attrs.get('error_message');
        if (!condition || !message) {
          throw bakeError('Missing required argument', validation.range, 'Give every validation block a condition and an error_message.', `The argument "${condition ? 'error_message' : 'condition'}" is required, but no definition was found.`);
        }
        const ok = evaluate(condition.expr, this.globalScope);
        if (ok === true || ok === 'true') continue;
        const text = evaluate(message.expr, this.globalScope);
        failures.push({
          severity: 'error',
          summary: 'Validation failed',
          detail: typeof text === 'string' ? text : JSON.stringify(text),
          range: condition.expr.range,
          fix: `Set ${singleLabel(def.block)} to a value that passes this condition.`,
        });
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
    const labelRange = def.block.labelRanges[0] ?? def.block.range;
    if (this.resolvingFuncs.includes(name)) {
      const path = [...this.resolvingFuncs.slice(this.resolvingFuncs.indexOf(name)), name].join(' → ');
      throw evalError('Invalid function', `function cycle not allowed for ${name}`, labelRange, `Break the cycle ${path}: functions cannot call themselves.`);
    }
    const params = def.attrs.get('params');
    const result = def.attrs.get('result');
    if (!result) throw evalError('Invalid function', `empty result not allowed for ${name}`, labelRange, 'Add a result attribute to the function block.');
    if (!params) throw evalError('Invalid function', `empty params not allowed for ${name}`, labelRange, 'Add params = [] (or a list of parameter names) to the function block.');
    this.resolvingFuncs.push(name);
    try {
      // Resolve the functions the result calls now, so a cycle is an error at definition, as in buildx.
      for (const called of functionCalls(result.expr)) {
        if (!this.function(called)) {
          throw evalError('Invalid expression', `function "${called}" does not exist`, result.expr.range, 'Check the spelling, or define it with a function block.');
        }
      }
    } finally {
      this.resolvingFuncs.pop();
    }
    const fn = userFunction({ params: params.expr, variadic: def.attrs.get('variadic_params')?.expr, result: result.expr }, () => this.globalScope);
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
      if (!SCHEMAS[kind].allowsMatrix && (matrix || nameAttr)) {
        throw evalError('Invalid name', `${matrix ? 'matrix' : 'name'} is not supported for groups`, (matrix ?? nameAttr)?.range ?? labelRange);
      }
      if (nameAttr && !matrix) throw evalError('Invalid name', 'name requires matrix', nameAttr.range, 'Add a matrix attribute, or remove name.');
      const scopes = matrix ? this.matrixScopes(matrix) : [this.globalScope];
      const instances = scopes.map((scope) => {
        const instance: BlockInstance = { kind, block, scope, name: label, values: new Map(), inProgress: new Set() };
        if (nameAttr) {
          const v = evaluate(nameAttr.expr, scope);
          let name: Value;
          try {
            name = convert(v, { kind: 'string' });
          } catch {
            throw evalError('Invalid name', 'name must be a string', nameAttr.expr.range);
          }
          checkName(String(name), nameAttr.expr.range);
          instance.name = String(name);
        }
        return instance;
      });
      const seen = new Set<string>();
      for (const i of instances) {
        if (seen.has(i.name)) throw evalError('Invalid name', `duplicate name "${i.name}"`, nameAttr?.expr.range ?? labelRange, 'Make the name expression use every matrix key, so each combination gets its own name.');
        seen.add(i.name);
      }
      instancesByBlock.set(block, instances);
    }
    this.instancesByBlock = instancesByBlock;
  }

  /** One scope per matrix combination; the last key varies slowest, as buildx builds them. */
  private matrixScopes(matrix: Attribute): Scope[] {
    const value = evaluate(matrix.expr, this.globalScope);
    if (!isObject(value)) throw evalError('Invalid block', 'matrix must be a map', matrix.expr.range, 'Write the matrix as a map of lists, e.g. matrix = { tgt = ["a", "b"] }.');
    let combos: Array<Map<string, Value>> = [new Map()];
    for (const key of sortedKeys(value)) {
      const values = value[key] as Value;
      if (!Array.isArray(values)) throw evalError('Invalid block', 'matrix values must be a list', matrix.expr.range, `Make matrix.${key} a list.`);
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
    const value = lazyObject([...byName.keys()], (name) => this.instanceValue(byName.get(name) as BlockInstance));
    this.blockValueProxies.set(kind, value);
    return value;
  }

  private instanceValue(instance: BlockInstance): Value {
    const names = ['name', ...SCHEMAS[instance.kind].attributes.map((a) => a.name)];
    return lazyObject(names, (attr) => (attr === 'name' ? instance.name : this.instanceAttribute(instance, attr)));
  }

  /** One attribute of one block instance, converted to its declared type (null when unset). */
  private instanceAttribute(instance: BlockInstance, name: string): Value {
    if (instance.values.has(name)) return instance.values.get(name) as Value;
    const attr = attributeMap(instance.block).get(name);
    if (!attr) return null;
    if (instance.inProgress.has(name)) {
      throw evalError('Invalid expression', `reference cycle not allowed for ${instance.kind}.${instance.name}.${name}`, attr.range, 'An attribute cannot depend on itself through target references.');
    }
    instance.inProgress.add(name);
    try {
      const spec = SCHEMAS[instance.kind].attributes.find((a) => a.name === name);
      const raw = evaluate(attr.expr, instance.scope);
      const decoded = spec ? decodeAttribute(name, spec.kind, raw, attr.expr.range) : raw;
      const value = (decoded ?? null) as Value;
      instance.values.set(name, value);
      return value;
    } finally {
      instance.inProgress.delete(name);
    }
  }

  private decodeInstance(instance: BlockInstance): Record<string, unknown> {
    const { block, kind } = instance;
    const schema = SCHEMAS[kind];
    const out: Record<string, unknown> = { name: instance.name };
    const ranges = new Map<string, SourceRange>();
    for (const attr of block.body.attributes) {
      if (attr.name === 'matrix' || attr.name === 'name') continue;
      if (!schema.attributes.some((a) => a.name === attr.name)) throw unsupportedArgument(attr, schema.attributes);
      ranges.set(attr.name, attr.range);
      const value = this.instanceAttribute(instance, attr.name);
      if (value !== null) out[attr.name] = value;
    }
    for (const nested of block.body.blocks) {
      if (kind === 'service' && nested.type === 'healthcheck') {
        out['healthcheck'] = decodeBody(nested, HEALTHCHECK_ATTRIBUTES, instance.scope);
        ranges.set('healthcheck', nested.range);
        continue;
      }
      throw evalError('Unsupported block type', `Blocks of type "${nested.type}" are not expected here.`, nested.typeRange, kind === 'service' ? 'Only healthcheck blocks are allowed in a service.' : `Write ${nested.type} as an attribute: ${nested.type} = ...`);
    }
    for (const req of schema.required) {
      if (!ranges.has(req)) {
        throw evalError('Missing required argument', `The argument "${req}" is required, but no definition was found.`, block.labelRanges[0] ?? block.range, `Add ${req} = [...] to ${kind} "${instance.name}".`);
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
    if (!spec) throw unsupportedArgument(attr, specs);
    const v = decodeAttribute(attr.name, spec.kind, evaluate(attr.expr, scope), attr.expr.range);
    if (v !== undefined) out[attr.name] = v;
  }
  return out;
}

function unsupportedArgument(attr: Attribute, specs: readonly AttributeSpec[]): BakeFileError {
  const suggestion = closest(attr.name, specs.map((s) => s.name));
  return evalError(
    'Unsupported argument',
    `An argument named "${attr.name}" is not expected here.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`,
    attr.nameRange,
    suggestion ? `Rename it to "${suggestion}".` : 'Remove it; see the bake file reference for the attributes this block takes.',
  );
}

/** The candidate within edit distance 2, for "Did you mean" hints. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
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
  }) as Value;
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
  let descriptionText: string | undefined;
  if (description) {
    const v = evaluate(description.expr, Scope.of(NO_NAMES));
    if (typeof v !== 'string') throw evalError('Incorrect attribute value type', 'Inappropriate value for attribute "description": string required.', description.expr.range);
    descriptionText = v;
  }
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
    if (!['params', 'variadic_params', 'result'].includes(attr.name)) throw unsupportedArgument(attr, [{ name: 'params', kind: 'stringList' }, { name: 'variadic_params', kind: 'string' }, { name: 'result', kind: 'string' }]);
  }
  return { block, attrs };
}

/** Descriptions are literal strings: no names resolve in them. */
const NO_NAMES: RootResolver = {
  variable: () => undefined,
  function: (name) => STDLIB.get(name),
  world: { now: () => new Date(0), homedir: () => '' },
};

function convertVariable(name: string, value: Value, type: Type, range: SourceRange, summary: string): Value {
  try {
    return convert(value, type);
  } catch (e) {
    if (!(e instanceof ConversionError)) throw e;
    const where = e.path.length ? ` (at ${e.path.join('.')})` : '';
    throw bakeError(summary, range, `Give ${name} a value of type ${typeExprText(type)}.`, `The value for ${name} is not compatible with the variable's type constraint: ${e.message}${where}.`);
  }
}

/** Reads an environment value for a typed variable: primitives as themselves, collections as CSV. */
function parseTypedEnv(name: string, text: string, type: Type, range: SourceRange): Value {
  switch (type.kind) {
    case 'string':
    case 'any':
      return text;
    case 'number':
    case 'bool':
      return text;
    case 'list':
    case 'set':
    case 'tuple':
      return text === '' ? [] : csvFields(name, text, range);
    case 'map':
    case 'object': {
      const out = makeObject();
      for (const field of text === '' ? [] : csvFields(name, text, range)) {
        const eq = field.indexOf('=');
        if (eq < 0) throw bakeError('Invalid value', range, `Write ${name} as key=value pairs separated by commas, or set ${name}_JSON.`, `failed to parse ${name}: "${field}" is not a key=value pair`);
        out[field.slice(0, eq)] = field.slice(eq + 1);
      }
      return out;
    }
  }
}

function csvFields(name: string, text: string, range: SourceRange): string[] {
  try {
    return parseCsvFields(text);
  } catch (e) {
    throw bakeError('Invalid value', range, `Quote fields that contain commas, or set ${name}_JSON instead.`, `failed to parse ${name} as CSV: ${(e as Error).message}`);
  }
}

/** A type as it is written in a bake file: list(string), object({a=number}). */
export function typeExprText(t: Type): string {
  switch (t.kind) {
    case 'list':
    case 'set':
    case 'map':
      return `${t.kind}(${typeExprText(t.element)})`;
    case 'tuple':
      return `tuple([${t.elements.map(typeExprText).join(', ')}])`;
    case 'object':
      return `object({${Object.keys(t.attributes)
        .map((k) => `${k}=${typeExprText(t.attributes[k] as Type)}`)
        .join(', ')}})`;
    default:
      return friendlyTypeName(t) === 'any type' ? 'any' : t.kind;
  }
}

/** Names of the functions an expression calls, for definition-time cycle checks. */
function functionCalls(expr: Expr): Set<string> {
  const out = new Set<string>();
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'functionCall':
        if (e.name !== 'try' && e.name !== 'can') out.add(e.name);
        e.args.forEach(visit);
        return;
      case 'template':
        for (const p of e.parts) visitPart(p);
        return;
      case 'templateWrap':
        return visit(e.wrapped);
      case 'parens':
        return visit(e.expr);
      case 'relativeTraversal':
        return visit(e.source);
      case 'index':
        visit(e.collection);
        return visit(e.key);
      case 'conditional':
        visit(e.condition);
        visit(e.trueResult);
        return visit(e.falseResult);
      case 'binaryOp':
        visit(e.lhs);
        return visit(e.rhs);
      case 'unaryOp':
        return visit(e.operand);
      case 'tuple':
        return e.items.forEach(visit);
      case 'object':
        for (const item of e.items) {
          visit(item.key);
          visit(item.value);
        }
        return;
      case 'splat':
        visit(e.source);
        return visit(e.each);
      case 'for':
        visit(e.collection);
        if (e.keyExpr) visit(e.keyExpr);
        visit(e.valueExpr);
        if (e.condition) visit(e.condition);
        return;
      default:
        return;
    }
  };
  const visitPart = (p: import('./hcl/ast.js').TemplatePart): void => {
    if (p.kind === 'interp') visit(p.expr);
    else if (p.kind === 'if') {
      visit(p.condition);
      p.then.forEach(visitPart);
      p.else?.forEach(visitPart);
    } else if (p.kind === 'for') {
      visit(p.collection);
      p.body.forEach(visitPart);
    }
  };
  visit(expr);
  return out;
}

/** Definitions in first-seen order, found by name in constant time; a repeated name merges into the first. */
class NamedList<T extends { name: string }> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  constructor(initial: readonly T[]) {
    for (const item of initial) this.upsert(item, (_old, next) => next);
  }
  upsert(item: T, merge: (old: T, next: T) => T): void {
    const i = this.index.get(item.name);
    if (i === undefined) {
      this.index.set(item.name, this.items.length);
      this.items.push(item);
    } else this.items[i] = merge(this.items[i] as T, item);
  }
}

export function dedupe<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
