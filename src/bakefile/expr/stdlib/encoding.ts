/** Encoding functions: base64 and URL (go-cty-funcs), JSON and CSV (cty). */
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import { makeObject, type Value } from '../value.js';
import { argString, argValue, define, param, type FunctionTable } from './args.js';
import { decodeStdBase64 } from './base64.js';
import { CsvError, readCsv } from './csv.js';
import { decodeJson, encodeJson, JsonError } from './json.js';
import { goQuote } from '../../../golang/strconv.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function base64Decode(s: string): string {
  const bytes = decodeStdBase64(s);
  if (!bytes) throw new FunctionError(`failed to decode base64 data '${s}'`);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new FunctionError('the result of decoding the the provided string is not valid UTF-8');
  }
}

/** Go's url.QueryEscape: unreserved characters kept, space as "+", every other UTF-8 byte as %XX. */
function urlEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function json<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof JsonError) throw new FunctionError(err.message);
    throw err;
  }
}

/** cty's csvdecode: the first record names the columns, each later record becomes an object. */
function csvDecode(text: string): Value {
  try {
    const records = readCsv(text);
    const header = records.next();
    if (header.done) throw new FunctionError('missing header line');
    const columns = header.value.fields;
    const duplicate = columns.find((name, i) => columns.indexOf(name) !== i);
    if (duplicate !== undefined) throw new FunctionError(`duplicate column name ${goQuote(duplicate)}`);
    return Array.from(records, (row) => makeObject(row.fields.map((field, i) => [columns[i] ?? '', field])));
  } catch (err) {
    if (err instanceof CsvError) throw new FunctionError(`CSV parse error on line ${err.line}: ${err.reason}`);
    throw err;
  }
}

const str = param('str', T.string);

export const ENCODING_FUNCTIONS: FunctionTable = {
  base64encode: define([str], (args) => Buffer.from(argString(args, 0), 'utf8').toString('base64')),
  base64decode: define([str], (args) => base64Decode(argString(args, 0))),
  urlencode: define([str], (args) => urlEncode(argString(args, 0))),
  jsonencode: define([param('val', T.any, true)], (args) => json(() => encodeJson(argValue(args, 0)))),
  jsondecode: define([str], (args) => json(() => decodeJson(argString(args, 0)))),
  csvdecode: define([str], (args) => csvDecode(argString(args, 0))),
};
