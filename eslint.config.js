// ESLint (issue 12): `npm run lint`, at zero warnings. TypeScript with
// typescript-eslint's type-checked rules; the scripts with ESLint's own.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // src/dev/protocol/generated/ is ts-proto's output (npm run proto:dev): checked in, never edited.
  { ignores: ['build/', 'dist/', 'node_modules/', 'examples/', 'src/dev/protocol/generated/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers in messages are what the code prints everywhere (counts, sizes, exit codes); String(n) would add noise only.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `return voidCall()` ends a case in one line (walkers, the regexp translator) and `() => voidCall()` is a callback.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // node:test's test(), describe() and it() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      // `_` names what a loop or a callback must take but does not use (`for await (const _ of stream)`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Cancellation rejects with the AbortSignal's reason (architecture.md: cancellation carries a cause), which is `any`.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // Off: TypeScript does not see a variable change inside a callback or across an await (microsoft/TypeScript#9998),
      // so about half of its findings in src/ were false (the dev/process state machines, dockerfile/links.ts's replace
      // callback), as were those where @types/node types a value as always set that is not (spawnSync's stdout when the
      // binary is missing).
      // Each would need a disable comment, and new code of the same shapes would keep meeting it.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Off: @types/node types isTTY as boolean, but it is undefined off a terminal; `isTTY === true` is deliberate.
      '@typescript-eslint/no-unnecessary-boolean-literal-compare': 'off',
      // Off: spreading a string into code points is how this code counts Go runes and display columns ([...text].length).
      '@typescript-eslint/no-misused-spread': 'off',
      // Off: an async function without await is how this code implements a Promise-returning interface (progress
      // sinks, gRPC handlers, test fakes); unlike a plain function returning Promise.resolve(), a throw in it rejects.
      '@typescript-eslint/require-await': 'off',
      // Off: matching control characters is this code's job: terminal escape sequences, Go's JSON escaping.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // A wrong `x!` in a test throws and fails the test, which is what an assertion would do: tests may use it.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests match printed code frames, where the spaces are the text: `/2 \|   tags/` reads as the output does.
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'bin/bake'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // As for TypeScript above: terminal escape sequences are what bench/dev.mjs reads.
      'no-control-regex': 'off',
    },
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
);
