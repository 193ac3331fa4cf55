import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { createRequire } from 'node:module';
import { call, cases, expectError } from './stdlib-support.js';

cases('md5', [
  { args: ['hello world'], want: '5eb63bbbe01eeed093cb22bb8f5acdc3' },
  { args: [''], want: 'd41d8cd98f00b204e9800998ecf8427e' },
  { args: [1], want: 'c4ca4238a0b923820dcc509a6f75849b' },
]);

cases('sha1', [{ args: ['hello'], want: 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d' }]);

cases('sha256', [
  { args: ['hello'], want: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' },
  { args: ['é'], want: '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c' }, // hashes the UTF-8 bytes
]);

cases('sha512', [
  { args: ['hello'], want: '9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043' },
]);

cases('uuidv5', [
  { args: ['dns', 'example.com'], want: 'cfbff0d1-9375-5685-968c-48ce8b15ae17' },
  { args: ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'example.com'], want: 'cfbff0d1-9375-5685-968c-48ce8b15ae17' },
  { args: ['{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}', 'example.com'], want: 'cfbff0d1-9375-5685-968c-48ce8b15ae17' },
  { args: ['6ba7b8109dad11d180b400c04fd430c8', 'example.com'], want: 'cfbff0d1-9375-5685-968c-48ce8b15ae17' },
  { args: ['url', 'https://www.terraform.io/'], want: '9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5' },
  { args: ['oid', '1.2.3'], want: '42d5e23b-3a02-5135-85c6-52d1102f1f00' },
  { args: ['x500', 'CN=Test'], want: '5e2003ce-30b7-5e3b-8c3a-a164acc5b21e' },
  { args: ['nope', 'x'], error: "uuidv5() doesn't support namespace nope (invalid UUID length: 4)" },
  {
    args: ['6ba7b810-9dad-11d1-80b4-00c04fd430cX', 'x'],
    error: "uuidv5() doesn't support namespace 6ba7b810-9dad-11d1-80b4-00c04fd430cX (invalid UUID format)",
  },
]);

test('uuidv4 gives a fresh random version 4 UUID', () => {
  const a = call('uuidv4');
  const b = call('uuidv4');
  assert.match(a as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, b);
});

test('bcrypt hashes with the $2a$ prefix and the default cost 10', () => {
  const bcrypt = createRequire(import.meta.url)('bcryptjs') as { compareSync(pw: string, hash: string): boolean };
  const hash = call('bcrypt', 'mypassword') as string;
  assert.match(hash, /^\$2a\$10\$[./A-Za-z0-9]{53}$/);
  assert.ok(bcrypt.compareSync('mypassword', hash));
  assert.match(call('bcrypt', 'x', 4) as string, /^\$2a\$04\$/);
  assert.match(call('bcrypt', 'x', 2) as string, /^\$2a\$10\$/, 'costs below 4 mean the default');
});

cases('bcrypt', [
  { args: ['x', 32], error: 'error occured generating password crypto/bcrypt: cost 32 is outside allowed inclusive range 4..31' },
  { args: ['x'.repeat(73)], error: 'error occured generating password bcrypt: password length exceeds 72 bytes' },
  { args: ['x', 4, 5], error: 'bcrypt() takes no more than two arguments' },
  { args: ['x', 4.5], error: 'value must be a whole number, between -9223372036854775808 and 9223372036854775807 inclusive' },
]);

test('rsadecrypt decrypts PKCS#1 v1.5 ciphertext with a PKCS#1 PEM key', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const ciphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('Hello, wörld')).toString('base64');
  assert.equal(call('rsadecrypt', ciphertext, pem), 'Hello, wörld');

  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  expectError('rsadecrypt', [ciphertext, pkcs8], 'x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)');
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
  expectError('rsadecrypt', [ciphertext, ecKey], 'x509: failed to parse private key (use ParseECPrivateKey instead for this key format)');
  const tampered = Buffer.from(ciphertext, 'base64');
  tampered[0] = (tampered[0] ?? 0) ^ 0xff;
  expectError('rsadecrypt', [tampered.toString('base64'), pem], 'crypto/rsa: decryption error');
  expectError('rsadecrypt', ['not base64!', pem], 'failed to decode input "not base64!": cipher text must be base64-encoded');
  expectError('rsadecrypt', [ciphertext, 'no key here'], 'failed to parse key: no key found');
  const encrypted = pem.replace('-----BEGIN RSA PRIVATE KEY-----\n', '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n');
  expectError('rsadecrypt', [ciphertext, encrypted], 'failed to parse key: password protected keys are not supported. Please decrypt the key prior to use');
});
