/**
 * Target, group and service blocks as values: `target.NAME.ATTR` references
 * resolve one attribute at a time (lazily, with cycle detection), and each
 * instance decodes into the model's fields, as buildx's hclparser does.
 */
import type { SourceRange } from '../../core/diagnostics.js';
import type { Block } from '../hcl/ast.js';
import { evalError } from '../expr/eval-error.js';
import { evaluate } from '../expr/evaluate.js';
import type { Scope } from '../expr/scope.js';
import { asMapValue, makeObject, type ObjectValue, type Value } from '../expr/value.js';
import { decodeAttribute, type DecodedField } from '../decode.js';
import { entryToValue, type EntryKind } from '../entries.js';
import { HEALTHCHECK_ATTRIBUTES, WATCH_ATTRIBUTES, type AttributeSpec, type Entry } from '../model.js';
import { recordOrigin } from '../sources.js';
import { attributeMap, bodyStart, unsupportedArgument } from './bodies.js';
import type { EvaluationStack } from './cycles.js';
import { expandBlocks, type BlockInstance } from './matrix.js';
import { isKnownAttribute, SCHEMAS, SERVICE_BLOCKS, unsupportedBlock, type BlockKind } from './schemas.js';

/** The instances of the target, group and service blocks, and their values as references and expressions see them. */
export class BlockValues {
  private instancesByBlock = new Map<Block, BlockInstance[]>();
  private namesResolved = false;
  private readonly typeValues = new Map<BlockKind, Value>();

  constructor(
    private readonly blocks: readonly Block[],
    private readonly globalScope: Scope,
    private readonly stack: EvaluationStack,
  ) {}

  /** Expands the blocks into their instances, once; a reference met during the expansion (in a matrix or a name) finds none. */
  resolveNames(): void {
    if (this.namesResolved) return;
    this.namesResolved = true;
    this.instancesByBlock = expandBlocks(this.blocks, this.globalScope);
  }

  /** A block's instances, in matrix order (none before resolveNames). */
  instancesOf(block: Block): readonly BlockInstance[] {
    return this.instancesByBlock.get(block) ?? [];
  }

  /** The lazily evaluated object behind `target`, `group` or `service` in expressions. */
  typeValue(kind: BlockKind): Value {
    const cached = this.typeValues.get(kind);
    if (cached !== undefined) return cached;
    this.resolveNames();
    const byName = new Map<string, BlockInstance>();
    for (const block of this.blocks) {
      if (block.type !== kind) continue;
      // With duplicate blocks, the last one's values are what a reference sees (as in buildx).
      for (const instance of this.instancesOf(block)) byName.set(instance.name, instance);
    }
    // buildx's `target`, `group` (and our `service`) are cty maps of blocks by name.
    const value = asMapValue(lazyObject([...byName.keys()], (name) => this.instanceValue(byName.get(name) as BlockInstance)) as ObjectValue);
    this.typeValues.set(kind, value);
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
      throw evalError(
        'Invalid expression',
        `reference cycle not allowed for ${instance.kind}.${instance.name}.${name}`,
        this.stack.cycleSubject(attr.expr.range),
        'An attribute cannot depend on itself through target references.',
      );
    }
    instance.inProgress.add(name);
    try {
      const spec = SCHEMAS[instance.kind].attributes.find((a) => a.name === name);
      const raw = this.stack.evaluate(attr.expr, instance.scope);
      const decoded = spec ? decodeAttribute(name, spec.kind, raw, attr.expr.range) : raw;
      const value = (decoded ?? null) as Value;
      instance.values.set(name, value);
      return value;
    } finally {
      instance.inProgress.delete(name);
    }
  }

  /** An instance's attributes as the model's fields, with where each came from; evaluates what references have not yet. */
  decode(instance: BlockInstance): Record<string, unknown> {
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
        if (!(kind === 'service' && SERVICE_BLOCKS.includes(nested.type))) throw unsupportedBlock(nested, schema.attributes, kind);
      }
    }
    for (const attr of block.body.attributes) {
      if (attr.name === 'matrix' || attr.name === 'name' || !isKnownAttribute(schema, attr.name)) continue;
      ranges.set(attr.name, attr.range);
      const value = this.instanceAttribute(instance, attr.name);
      if (value !== null) out[attr.name] = value;
    }
    const watch: Record<string, DecodedField>[] = [];
    for (const nested of block.body.blocks) {
      if (kind !== 'service') continue;
      if (nested.type === 'watch') {
        // Each rule's own range, so an error about one rule points at its block.
        ranges.set(`watch.${watch.length}`, nested.range);
        if (!ranges.has('watch')) ranges.set('watch', nested.range);
        watch.push(decodeBody(nested, WATCH_ATTRIBUTES, instance.scope));
        continue;
      }
      out['healthcheck'] = decodeBody(nested, HEALTHCHECK_ATTRIBUTES, instance.scope);
      ranges.set('healthcheck', nested.range);
    }
    if (watch.length) out['watch'] = watch;
    for (const req of schema.required) {
      if (!ranges.has(req)) {
        throw evalError(
          'Missing required argument',
          `The argument "${req}" is required, but no definition was found.`,
          bodyStart(block),
          `Add ${req} = [...] to ${kind} "${instance.name}".`,
        );
      }
    }
    recordOrigin(out, { label: block.labelRanges[0] ?? block.range, attributes: ranges });
    return out;
  }
}

/** Decodes a nested block with no laziness (healthcheck, watch). */
function decodeBody(block: Block, specs: readonly AttributeSpec[], scope: Scope): Record<string, DecodedField> {
  const out: Record<string, DecodedField> = {};
  for (const attr of block.body.attributes) {
    const spec = specs.find((s) => s.name === attr.name);
    if (!spec)
      throw unsupportedArgument(
        attr,
        specs,
        block.body.attributes.map((a) => a.name),
      );
    const v = decodeAttribute(attr.name, spec.kind, evaluate(attr.expr, scope), attr.expr.range);
    if (v !== undefined) out[attr.name] = v;
  }
  return out;
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
    getOwnPropertyDescriptor: (_t, key) =>
      typeof key === 'string' && known.has(key) ? { value: get(key), enumerable: true, configurable: true, writable: false } : undefined,
  });
}
