/** `bake --list targets|variables` (and `type=...,format=json`), as buildx lists them. */
import type { Outcome } from '../core/errors.js';
import { compareStrings } from '../bakefile/expr/value.js';
import { encodeGoJSON, type GoJSON } from '../bakefile/print.js';
import type { BakeArgs, ListRequest } from './args.js';
import { loadDefinition, type CliEnvironment } from './definition.js';
import { tabwrite } from '../golang/tabwriter.js';

export async function list(args: BakeArgs, request: ListRequest, cli: CliEnvironment): Promise<Outcome> {
  const { evaluated } = await loadDefinition(args, cli);
  if (request.type === 'variables') {
    // buildx's hclparser.Variable: name, description, value (type when declared); a missing value shows <null>.
    const rows = evaluated.variables;
    if (request.format === 'json') return writeJSON(rows.map((v) => structOf({ name: v.name, description: v.description, value: v.value, type: v.type })));
    process.stdout.write(tabwrite([['VARIABLE', 'VALUE', 'DESCRIPTION'], ...rows.map((v) => [v.name, v.value ?? '<null>', v.description ?? ''])]));
    return 'ok';
  }
  // Targets and groups together, sorted by name; names starting with "_" are private (hidden).
  const items = [
    ...evaluated.targets.map((t) => ({ name: t.name, description: t.description, group: false, targets: undefined as string[] | undefined })),
    ...evaluated.groups.map((g) => ({ name: g.name, description: g.description, group: true, targets: [...g.targets].sort(compareStrings) })),
  ]
    .filter((i) => !i.name.startsWith('_'))
    .sort((a, b) => compareStrings(a.name, b.name));
  const describe = (i: (typeof items)[number]): string => {
    if (!i.targets?.length) return i.description ?? '';
    const names = i.targets.join(', ');
    return i.description ? `${i.description} (${names})` : names;
  };
  if (request.format === 'json') return writeJSON(items.map((i) => structOf({ name: i.name, description: describe(i), group: i.group || undefined })));
  process.stdout.write(tabwrite([['TARGET', 'DESCRIPTION'], ...items.map((i) => [i.name, describe(i)])]));
  return 'ok';
}

/** A Go struct with omitempty fields, in the given order. */
function structOf(fields: Record<string, string | boolean | undefined>): GoJSON {
  return new Map(Object.entries(fields).filter((e): e is [string, string | boolean] => e[1] !== undefined && e[1] !== ''));
}

function writeJSON(rows: GoJSON[]): Outcome {
  process.stdout.write(`${encodeGoJSON(rows)}\n`);
  return 'ok';
}
