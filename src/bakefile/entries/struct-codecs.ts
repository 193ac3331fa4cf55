/**
 * The struct-shaped entries: Secret (secrets.go, secrets_cty.go) and SSH
 * (ssh.go, ssh_cty.go). They print as Go structs, fields in declaration order.
 */
import { T, convert } from '../expr/types.js';
import { makeObject, type ObjectValue, type Value } from '../expr/value.js';
import type { Entry } from '../model.js';
import { cutField, flatEntry, type Codec, type EntryJSONValue } from './codec.js';
import { parseCsvFields } from './csv.js';
import { EntryError } from './errors.js';
import { goQuote } from '../../golang/strconv.js';

const SECRET_OBJECT = T.object({ id: T.string, src: T.string, env: T.string }, ['id', 'src', 'env']);
const SSH_OBJECT = T.object({ id: T.string, paths: T.list(T.string) }, ['id', 'paths']);

// Secret (secrets.go, secrets_cty.go)

function secretEntry(id: string, src: string, env: string): Entry {
  return flatEntry(
    [
      ['id', id],
      ['src', src],
      ['env', env],
    ].filter(([, value]) => value !== '') as [string, string][],
  );
}

export const secretCodec: Codec = {
  parseText(text) {
    let fields: string[];
    try {
      fields = parseCsvFields(text);
    } catch (e) {
      throw new EntryError(`failed to parse csv secret: ${(e as Error).message}`);
    }
    let type = '';
    let id = '';
    let src = '';
    let env = '';
    for (const field of fields) {
      const cut = cutField(field);
      if (!cut) throw new EntryError(`invalid field '${field}' must be a key=value pair`);
      const key = cut[0].toLowerCase();
      const value = cut[1];
      if (key === 'type') {
        if (value !== 'file' && value !== 'env') throw new EntryError(`unsupported secret type ${goQuote(value)}`);
        type = value;
      } else if (key === 'id') id = value;
      else if (key === 'source' || key === 'src') src = value;
      else if (key === 'env') env = value;
      else throw new EntryError(`unexpected key '${key}' in '${field}'`);
    }
    // `type=env,src=VAR` names the variable through src.
    if (type === 'env' && env === '') return secretEntry(id, '', src);
    return secretEntry(id, src, env);
  },
  fromObject(object) {
    // Converting to the secret object type drops attributes other than id, src and env, as cty does.
    const converted = convert(object, SECRET_OBJECT) as ObjectValue;
    const text = (key: string): string => (converted[key] as string | null) ?? '';
    return secretEntry(text('id'), text('src'), text('env'));
  },
  elementType: SECRET_OBJECT,
  // A Go struct: fields print in declaration order, not sorted.
  toJSON: (entry) => new Map(['id', 'src', 'env'].filter((key) => Object.hasOwn(entry, key)).map((key) => [key, entry[key] as string])),
  toValue: (entry) => makeObject(['id', 'src', 'env'].map((key) => [key, entry[key] ?? ''] as const)),
};

// SSH (ssh.go, ssh_cty.go)

function sshEntry(id: string, paths: readonly string[]): Entry {
  return flatEntry([...(id === '' ? [] : [['id', id] as const]), ...(paths.length === 0 ? [] : [['paths', JSON.stringify(paths)] as const])]);
}

/** The paths of an ssh entry (empty when it has none). */
export function sshPaths(entry: Entry): string[] {
  const paths = entry['paths'];
  return paths === undefined ? [] : (JSON.parse(paths) as string[]);
}

export const sshCodec: Codec = {
  // Not CSV: `id=path1,path2` splits at the first `=` and then at every comma, quotes and all.
  parseText(text) {
    const cut = cutField(text);
    return cut ? sshEntry(cut[0], cut[1].split(',')) : sshEntry(text, []);
  },
  fromObject(object) {
    const converted = convert(object, SSH_OBJECT) as ObjectValue;
    const paths = (converted['paths'] as readonly Value[] | null) ?? [];
    return sshEntry(
      (converted['id'] as string | null) ?? '',
      paths.filter((p): p is string => typeof p === 'string'),
    );
  },
  elementType: SSH_OBJECT,
  uniqueBy: 'id',
  toJSON: (entry) => {
    const json = new Map<string, EntryJSONValue>();
    if (Object.hasOwn(entry, 'id')) json.set('id', entry['id'] as string);
    if (Object.hasOwn(entry, 'paths')) json.set('paths', sshPaths(entry));
    return json;
  },
  toValue: (entry) =>
    makeObject([
      ['id', entry['id'] ?? ''],
      ['paths', sshPaths(entry)],
    ]),
};
