/** `bake --list targets|variables` (and `type=...,format=json`), as buildx lists them. */
import { encodeGoJSON, type GoJSON } from '../bakefile/print.js';
import type { BakeArgs, ListRequest } from './args.js';
import { loadDefinition, type CliEnvironment } from './definition.js';
import { tabwrite } from './tabwrite.js';

export async function list(args: BakeArgs, request: ListRequest, cli: CliEnvironment): Promise<number> {
  const { evaluated } = await loadDefinition(args, cli);
  if (request.type === 'variables') {
    const rows = evaluated.variables.map((v) => ({ name: v.name, type: v.type, value: v.value, description: v.description }));
    if (request.format === 'json') return writeJSON(rows.map((r) => structOf(r)));
    process.stdout.write(tabwrite([['VARIABLE', 'TYPE', 'VALUE', 'DESCRIPTION'], ...rows.map((r) => [r.name, r.type ?? '', r.value ?? '', r.description ?? ''])]));
    return 0;
  }
  // Targets and groups together, sorted by name; names starting with "_" are private (hidden).
  const items = [
    ...evaluated.targets.map((t) => ({ name: t.name, description: t.description, group: false, targets: undefined as string[] | undefined })),
    ...evaluated.groups.map((g) => ({ name: g.name, description: g.description, group: true, targets: [...g.targets].sort() })),
  ]
    .filter((i) => !i.name.startsWith('_'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (request.format === 'json') return writeJSON(items.map((i) => structOf({ name: i.name, description: i.description, group: i.group || undefined, targets: i.targets })));
  const describe = (i: (typeof items)[number]): string => {
    if (!i.targets?.length) return i.description ?? '';
    const names = i.targets.join(', ');
    return i.description ? `${i.description} (${names})` : names;
  };
  process.stdout.write(tabwrite([['TARGET', 'DESCRIPTION'], ...items.map((i) => [i.name, describe(i)])]));
  return 0;
}

/** A Go struct with omitempty fields, in the given order. */
function structOf(fields: Record<string, string | boolean | string[] | undefined>): GoJSON {
  return new Map(Object.entries(fields).filter((e): e is [string, string | boolean | string[]] => e[1] !== undefined && e[1] !== ''));
}

function writeJSON(rows: GoJSON[]): number {
  process.stdout.write(`${encodeGoJSON(rows)}\n`);
  return 0;
}
