/**
 * Hashing, bcrypt, RSA decryption and UUIDs, as go-cty-funcs provides them.
 * node:crypto and bcryptjs are loaded on first use only, so importing the
 * stdlib stays cheap: node:crypto alone took ~6 ms of every `bake --print`.
 */
import type * as NodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { FunctionError } from '../function.js';
import { T } from '../types.js';
import type { Value } from '../value.js';
import { argNumber, argString, define, param, toInt, type FunctionTable } from './args.js';
import { decodeStdBase64 } from './base64.js';
import { goQuote } from '../../../golang/strconv.js';

interface Bcrypt {
  hashSync(password: string, salt: string): string;
  encodeBase64(bytes: Uint8Array, length: number): string;
}

const load = createRequire(import.meta.url);
let bcryptModule: Bcrypt | undefined;
const loadBcrypt = (): Bcrypt => (bcryptModule ??= load('bcryptjs') as Bcrypt);
let cryptoModule: typeof NodeCrypto | undefined;
const crypto = (): typeof NodeCrypto => (cryptoModule ??= load('node:crypto') as typeof NodeCrypto);

const hexDigest = (algorithm: string) =>
  define([param('str', T.string)], (args) => crypto().createHash(algorithm).update(argString(args, 0), 'utf8').digest('hex'));

/** golang.org/x/crypto/bcrypt.GenerateFromPassword: "$2a$" hashes, costs below 4 mean 10, over 72 bytes refused. */
function bcrypt(args: readonly Value[]): string {
  if (args.length > 2) throw new FunctionError('bcrypt() takes no more than two arguments');
  const password = argString(args, 0);
  let cost = args.length > 1 ? toInt(argNumber(args, 1)) : 10;
  if (cost < 4) cost = 10;
  if (cost > 31) throw new FunctionError(`error occured generating password crypto/bcrypt: cost ${cost} is outside allowed inclusive range 4..31`);
  if (Buffer.byteLength(password, 'utf8') > 72) throw new FunctionError('error occured generating password bcrypt: password length exceeds 72 bytes');
  const lib = loadBcrypt();
  const salt = `$2a$${String(cost).padStart(2, '0')}$${lib.encodeBase64(crypto().randomBytes(16), 16)}`;
  return lib.hashSync(password, salt);
}

const DECRYPTION_ERROR = 'crypto/rsa: decryption error';

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

const toBigInt = (base64url: string): bigint => BigInt(`0x${Buffer.from(base64url, 'base64url').toString('hex') || '0'}`);

/** The DER tag of a key structure's second field: INTEGER in PKCS#1, SEQUENCE in PKCS#8, OCTET STRING in SEC 1. */
function secondFieldTag(der: Buffer): number | undefined {
  const skipHeader = (at: number): number => {
    const len = der[at + 1] ?? 0;
    return at + 2 + (len & 0x80 ? len & 0x7f : 0);
  };
  const versionAt = skipHeader(0);
  return der[versionAt + 2 + (der[versionAt + 1] ?? 0)];
}

/** x509.ParsePKCS1PrivateKey, with Go's hints when the key is in another format. */
function parsePkcs1(der: Buffer): KeyObject {
  const tag = secondFieldTag(der);
  if (tag === 0x30) throw new FunctionError('x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)');
  if (tag === 0x04) throw new FunctionError('x509: failed to parse private key (use ParseECPrivateKey instead for this key format)');
  try {
    return crypto().createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  } catch {
    throw new FunctionError('x509: failed to parse private key');
  }
}

/** go-cty-funcs rsadecrypt: base64 ciphertext, PEM PKCS#1 key, PKCS#1 v1.5 padding. */
function rsaDecrypt(ciphertext: string, pem: string): string {
  const c = decodeStdBase64(ciphertext);
  if (!c) throw new FunctionError(`failed to decode input ${goQuote(ciphertext)}: cipher text must be base64-encoded`);
  const block = /-----BEGIN ([^-]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!block) throw new FunctionError('failed to parse key: no key found');
  const body = block[2] ?? '';
  if (/^Proc-Type:\s*4,ENCRYPTED/m.test(body)) {
    throw new FunctionError('failed to parse key: password protected keys are not supported. Please decrypt the key prior to use');
  }
  const jwk = parsePkcs1(Buffer.from(body.replace(/^[\w-]+:.*$/gm, ''), 'base64')).export({ format: 'jwk' });
  const n = toBigInt(jwk.n ?? '');
  const d = toBigInt(jwk.d ?? '');
  const k = Math.ceil(n.toString(16).length / 2);
  const cValue = c.length > 0 ? BigInt(`0x${c.toString('hex')}`) : 0n;
  if (k < 11 || c.length > k || cValue >= n) throw new FunctionError(DECRYPTION_ERROR);
  // EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M
  const em = Buffer.from(
    modPow(cValue, d, n)
      .toString(16)
      .padStart(k * 2, '0'),
    'hex',
  );
  const separator = em.indexOf(0, 2);
  if (em[0] !== 0 || em[1] !== 2 || separator < 10) throw new FunctionError(DECRYPTION_ERROR);
  return em.subarray(separator + 1).toString('utf8');
}

const UUID_NAMESPACES: Readonly<Record<string, string>> = {
  dns: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  url: '6ba7b811-9dad-11d1-80b4-00c04fd430c8',
  oid: '6ba7b812-9dad-11d1-80b4-00c04fd430c8',
  x500: '6ba7b814-9dad-11d1-80b4-00c04fd430c8',
};

/** google/uuid.Parse: the 36-character form, optionally "urn:uuid:"-prefixed or braced, or 32 bare hex digits. */
function parseUuid(text: string): Buffer {
  let inner = text;
  if (text.length === 45) {
    if (!/^urn:uuid:/i.test(text)) throw new Error(`invalid urn prefix: ${goQuote(text.slice(0, 9))}`);
    inner = text.slice(9);
  } else if (text.length === 38) {
    inner = text.slice(1, -1);
  } else if (text.length !== 36 && text.length !== 32) {
    throw new Error(`invalid UUID length: ${text.length}`);
  }
  const match = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i.exec(inner);
  if (!match) throw new Error('invalid UUID format');
  return Buffer.from(match.slice(1).join(''), 'hex');
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function uuidV5(namespaceArg: string, name: string): string {
  let namespace: Buffer;
  try {
    namespace = parseUuid(UUID_NAMESPACES[namespaceArg] ?? namespaceArg);
  } catch (err) {
    throw new FunctionError(`uuidv5() doesn't support namespace ${namespaceArg} (${(err as Error).message})`);
  }
  const hash = crypto().createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  return formatUuid(hash);
}

export const CRYPTO_FUNCTIONS: FunctionTable = {
  md5: hexDigest('md5'),
  sha1: hexDigest('sha1'),
  sha256: hexDigest('sha256'),
  sha512: hexDigest('sha512'),
  bcrypt: define([param('str', T.string)], bcrypt, param('cost', T.number)),
  rsadecrypt: define([param('ciphertext', T.string), param('privatekey', T.string)], (args) => rsaDecrypt(argString(args, 0), argString(args, 1))),
  uuidv4: define([], () => crypto().randomUUID()),
  uuidv5: define([param('namespace', T.string), param('name', T.string)], (args) => uuidV5(argString(args, 0), argString(args, 1))),
};
