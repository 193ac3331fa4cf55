/**
 * JSON as cty produces and reads it: Go's encoding/json string escaping
 * (golang/json.ts), object keys in sorted order, numbers without exponents;
 * decoding reports Go's decoder messages and, like Go's decoder, never yields
 * a lone surrogate (an escaped one decodes to U+FFFD).
 */
import { makeObject, sortedKeys, type Value } from '../value.js';
import { formatNumeric, isFiniteNumeric, isNumeric, numberFromDecimalText, type Numeric } from '../numeric.js';
import { goQuote, goQuoteRune } from '../../../golang/strconv.js';
import { goJsonString } from '../../../golang/json.js';

/** Thrown for values JSON cannot carry and for malformed JSON text. */
export class JsonError extends Error {}

export function encodeJson(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (isNumeric(v)) {
    if (!isFiniteNumeric(v)) throw new JsonError('cannot serialize infinity as JSON');
    return formatNumeric(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(encodeJson).join(',')}]`;
  const o = v as Readonly<Record<string, Value>>;
  return `{${sortedKeys(o)
    .map((k) => `${goJsonString(k)}:${encodeJson(o[k] ?? null)}`)
    .join(',')}}`;
}

/**
 * How deep a decoded document may nest. Go's decoder stops at 10,000 with
 * "exceeded max depth"; bake's evaluator recurses through values, so it
 * stops sooner, with Go's words, instead of overflowing the stack (issue 14).
 */
export const MAX_JSON_DEPTH = 1000;

/** A recursive-descent reader with the error texts of Go's json.Decoder. */
class JsonReader {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  readDocument(): Value {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new JsonError('EOF');
    const value = this.readValue();
    this.skipSpace();
    if (this.pos < this.text.length) throw new JsonError('extraneous data after JSON object');
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos] ?? '')) this.pos++;
  }

  private peek(): string {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === undefined) throw new JsonError('unexpected EOF');
    return ch;
  }

  private invalid(context: string): never {
    const ch = String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0);
    throw new JsonError(`invalid character ${goQuoteRune(ch)} ${context}`);
  }

  private readValue(): Value {
    const ch = this.peek();
    if (ch === '{' || ch === '[') {
      if (++this.depth > MAX_JSON_DEPTH) this.invalid('exceeded max depth');
      const value = ch === '{' ? this.readObject() : this.readArray();
      this.depth--;
      return value;
    }
    if (ch === '"') return this.readString();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.readNumber();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (ch === word[0]) return this.readWord(word, value);
    }
    return this.invalid('looking for beginning of value');
  }

  private readWord(word: string, value: Value): Value {
    for (let i = 0; i < word.length; i++, this.pos++) {
      if (this.pos >= this.text.length) throw new JsonError('unexpected EOF');
      if (this.text[this.pos] !== word[i]) this.invalid(`in literal ${word} (expecting ${goQuoteRune(word[i] ?? '')})`);
    }
    return value;
  }

  private readNumber(): Numeric {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (!match) {
      this.pos++;
      if (this.pos >= this.text.length) throw new JsonError('unexpected EOF');
      return this.invalid('in numeric literal');
    }
    this.pos += match[0].length;
    // cty reads JSON numbers as it reads literals: exactly (numeric.ts).
    return numberFromDecimalText(match[0]);
  }

  private readString(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) throw new JsonError('unexpected EOF');
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch < ' ') this.invalid('in string literal');
      if (ch !== '\\') {
        out += ch;
        this.pos++;
        continue;
      }
      const esc = this.text[this.pos + 1];
      if (esc === undefined) throw new JsonError('unexpected EOF');
      const simple = ({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[esc];
      if (simple !== undefined) {
        out += simple;
        this.pos += 2;
      } else if (esc === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.pos += 2 + (/^[0-9a-fA-F]*/.exec(hex)?.[0].length ?? 0);
          if (this.pos >= this.text.length) throw new JsonError('unexpected EOF');
          this.invalid('in \\u hexadecimal character escape');
        }
        out += this.unicodeEscape(parseInt(hex, 16));
      } else {
        this.pos++;
        this.invalid('in string escape code');
      }
    }
  }

  /**
   * The text of the `\uXXXX` escape at `pos` (whose value is `unit`), as Go's
   * decoder reads it: a surrogate takes the next `\uXXXX` with it when the two
   * make a pair; any other surrogate becomes U+FFFD, and what follows is read
   * on its own. Moves past what it read.
   */
  private unicodeEscape(unit: number): string {
    this.pos += 6;
    if (unit < 0xd800 || unit > 0xdfff) return String.fromCharCode(unit);
    const next = /^\\u([0-9a-fA-F]{4})/.exec(this.text.slice(this.pos, this.pos + 6));
    const low = next ? parseInt(next[1] as string, 16) : -1;
    if (unit >= 0xdc00 || low < 0xdc00 || low > 0xdfff) return '\ufffd';
    this.pos += 6;
    return String.fromCharCode(unit, low);
  }

  private readArray(): Value[] {
    this.pos++;
    const items: Value[] = [];
    if (this.peek() === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.readValue());
      const ch = this.peek();
      this.pos++;
      if (ch === ']') return items;
      if (ch !== ',') {
        this.pos--;
        this.invalid('after array element');
      }
    }
  }

  private readObject(): Value {
    this.pos++;
    const entries = makeObject();
    if (this.peek() === '}') {
      this.pos++;
      return entries;
    }
    for (;;) {
      if (this.peek() !== '"') this.invalid('looking for beginning of object key string');
      const key = this.readString();
      if (this.peek() !== ':') this.invalid('after object key');
      this.pos++;
      const value = this.readValue();
      if (key in entries) throw new JsonError(`duplicate ${goQuote(key)} property in JSON object`);
      entries[key] = value;
      const ch = this.peek();
      this.pos++;
      if (ch === '}') return entries;
      if (ch !== ',') {
        this.pos--;
        this.invalid('after object key:value pair');
      }
    }
  }
}

/** Parses JSON into a Value: objects become objects, arrays tuples, null null. */
export function decodeJson(text: string): Value {
  return new JsonReader(text).readDocument();
}
