/**
 * Top-level names: `variable` blocks and global attributes, resolved lazily
 * with cycle detection as buildx's hclparser does. A variable takes its
 * default, or `--var` / the environment (typed variables convert the text,
 * or NAME_JSON's JSON); validation blocks check the results.
 */
import { BakeFileError, bakeError, type Diagnostic, type SourceRange } from '../../core/diagnostics.js';
import type { Attribute, Block } from '../hcl/ast.js';
import { evalError } from '../expr/eval-error.js';
import { evaluate } from '../expr/evaluate.js';
import { Scope, type RootResolver } from '../expr/scope.js';
import { STDLIB } from '../expr/stdlib/index.js';
import { typeExprText, typeFromExpr } from '../expr/typeexpr.js';
import { convert, ConversionError, friendlyTypeName, T, type Type } from '../expr/types.js';
import { isObject, type Value } from '../expr/value.js';
import { formatNumeric, isNumeric } from '../expr/numeric.js';
import { decodeAttribute } from '../decode.js';
import { EnvValueError, primitiveEnvValue, typedEnvValue } from '../variable-env.js';
import { attributeMap, bodyStart, singleLabel } from './bodies.js';
import type { EvaluationStack } from './cycles.js';

/** A variable as `--list variables` shows it. */
export interface VariableInfo {
  readonly name: string;
  readonly type?: string;
  readonly value?: string;
  readonly description?: string;
}

/** A `variable` block as read: nothing in it is evaluated yet but its description. */
export interface VariableDef {
  readonly block: Block;
  readonly defaultAttr: Attribute | undefined;
  readonly type: Type | undefined;
  readonly description: string | undefined;
  readonly validations: readonly Block[];
}

/** The values of top-level names, each resolved once on first reference. */
export class Variables {
  /** Values resolved so far, by name. */
  private readonly values = new Map<string, Value>();
  /** Names being resolved, outermost first: a name met again closes a cycle. */
  private readonly resolving: string[] = [];

  constructor(
    private readonly defs: ReadonlyMap<string, VariableDef>,
    /** Global attributes (`NAME = value` at the top level). */
    private readonly attributes: ReadonlyMap<string, Attribute>,
    /** Built-in variables: BAKE_CMD_CONTEXT, BAKE_LOCAL_PLATFORM. */
    private readonly builtins: ReadonlyMap<string, string>,
    /** `--var` values first, then the environment (unless env lookup is disabled). */
    private readonly lookupVar: (name: string) => string | undefined,
    private readonly globalScope: Scope,
    private readonly stack: EvaluationStack,
  ) {}

  /** Every declared variable as `--list variables` shows it, by name. */
  list(): VariableInfo[] {
    return [...this.defs.keys()].sort().map((name) => this.describe(name));
  }

  /** The value of a variable, global attribute or built-in, or undefined when nothing by that name exists. */
  value(name: string, range: SourceRange): Value | undefined {
    if (this.values.has(name)) return this.values.get(name);
    const attr = this.attributes.get(name);
    const builtin = this.builtins.get(name);
    const def = this.defs.get(name);
    if (!attr && builtin === undefined && !def) return undefined;
    if (this.resolving.includes(name)) {
      const path = [...this.resolving.slice(this.resolving.indexOf(name)), name].join(' → ');
      throw evalError(
        'Invalid expression',
        `variable cycle not allowed for ${name}`,
        this.stack.cycleSubject(range),
        `Break the cycle ${path}: one of these must not refer back to another.`,
      );
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
    let value = this.stack.evaluate(expr, this.globalScope);
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
      const json = this.defs.has(jsonName) || this.builtins.has(jsonName) ? undefined : this.lookupVar(jsonName);
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
    const env = this.lookupVar(name);
    if (env === undefined) return undefined;
    if (def.type) {
      try {
        return typedEnvValue(name, env, def.type);
      } catch (e) {
        if (e instanceof EnvValueError)
          throw invalid(e.message, `Set ${name} as ${typeExprText(def.type)} expects (lists as CSV), or set ${jsonName} to JSON.`);
        throw e;
      }
    }
    if (defaultValue === undefined || defaultValue === null || typeof defaultValue === 'string') return env;
    if (Array.isArray(defaultValue) || isObject(defaultValue)) {
      throw invalid(
        `unsupported type ${Array.isArray(defaultValue) ? 'tuple' : 'object'} for variable ${name}`,
        `Declare its type (e.g. type = list(string)) so ${name} can be set from the environment.`,
      );
    }
    try {
      return primitiveEnvValue(name, env, typeof defaultValue === 'boolean' ? T.bool : T.number);
    } catch (e) {
      if (e instanceof EnvValueError) throw invalid(e.message, `Set ${name} to ${typeof defaultValue === 'boolean' ? 'true or false' : 'a number'}.`);
      throw e;
    }
  }

  /** Resolved through the root resolver, like any reference: a variable named `target` shows as the blocks do. */
  private describe(name: string): VariableInfo {
    const def = this.defs.get(name) as VariableDef;
    const value = this.globalScope.root.variable(name, def.block.labelRanges[0] ?? def.block.range);
    const shown = typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : isNumeric(value) ? formatNumeric(value) : undefined;
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
  validate(): void {
    const failures: Diagnostic[] = [];
    const error = (summary: string, detail: string, range: SourceRange): void =>
      void failures.push({
        severity: 'error',
        summary,
        detail,
        range,
        fix: summary === 'Invalid error message' ? 'Make error_message a string.' : 'Make the condition an expression that is true or false.',
      });
    for (const def of this.defs.values()) {
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
        failures.push({
          severity: 'error',
          summary: 'Validation failed',
          detail: text,
          range: conditionRange,
          fix: `Set ${singleLabel(def.block)} to a value that passes this condition.`,
        });
      }
    }
    if (failures.length) throw new BakeFileError(failures);
  }
}

export function readVariable(block: Block): VariableDef {
  const attrs = attributeMap(block);
  const typeAttr = attrs.get('type');
  const description = attrs.get('description');
  const descriptionText =
    description && (decodeAttribute('description', 'string', evaluate(description.expr, Scope.of(NO_NAMES)), description.expr.range) as string | undefined);
  return {
    block,
    defaultAttr: attrs.get('default'),
    type: typeAttr ? typeFromExpr(typeAttr.expr) : undefined,
    description: descriptionText,
    validations: block.body.blocks.filter((b) => b.type === 'validation'),
  };
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
