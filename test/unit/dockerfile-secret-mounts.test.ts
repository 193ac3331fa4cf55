/** Secret mounts given each target's own id (issue 14): which mounts change, and that they keep the path the frontend gives them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isolateSecretMounts } from '../../src/dockerfile/secret-mounts.js';

const IDS = new Map([
  ['tok', 'tok-1111'],
  ['aws', 'aws-2222'],
]);

test('a secret mount of a mapped id takes the new id and keeps /run/secrets/<id> as its target', () => {
  assert.equal(
    isolateSecretMounts('FROM x\nRUN --mount=type=secret,id=tok,required=true cat /run/secrets/tok\n', IDS)?.text,
    'FROM x\nRUN --mount=type=secret,required=true,id=tok-1111,target=/run/secrets/tok cat /run/secrets/tok\n',
  );
});

test('an explicit target stays; an id taken from the target base name or from source= is found as the frontend finds it', () => {
  const table: ReadonlyArray<[string, string]> = [
    ['--mount=type=secret,id=tok,target=/etc/t', '--mount=type=secret,target=/etc/t,id=tok-1111'],
    ['--mount=type=secret,dst=/root/.aws/aws', '--mount=type=secret,dst=/root/.aws/aws,id=aws-2222'],
    ['--mount=type=secret,id=other,source=tok', '--mount=type=secret,id=tok-1111,target=/run/secrets/tok'],
    ['--mount=TYPE=secret,ID=tok', '--mount=TYPE=secret,id=tok-1111,target=/run/secrets/tok'],
    ['--mount=type=secret,id=tok,env=TOK', '--mount=type=secret,env=TOK,id=tok-1111'],
  ];
  for (const [flag, want] of table) assert.equal(isolateSecretMounts(`FROM x\nRUN ${flag} true`, IDS)?.text, `FROM x\nRUN ${want} true`, flag);
});

test('nothing to change: other mounts, unmapped ids, quoted or variable fields, heredoc bodies, other instructions', () => {
  const texts = [
    'FROM x\nRUN --mount=type=cache,id=tok,target=/c true',
    'FROM x\nRUN --mount=type=secret,id=unknown true',
    'FROM x\nRUN --mount=type=secret,id=$ID true',
    'FROM x\nRUN --mount="type=secret,id=tok" true',
    'FROM x\nRUN <<EOF\n--mount=type=secret,id=tok\nEOF',
    'FROM x\nCOPY --mount=type=secret,id=tok a b',
  ];
  for (const text of texts) assert.equal(isolateSecretMounts(text, IDS), undefined, text);
  assert.equal(isolateSecretMounts('FROM x\nRUN --mount=type=secret,id=tok true', new Map()), undefined);
});

test('continued RUN lines and several mounts: each mount on its own line, every line in its place', () => {
  const text = 'FROM x\nRUN --mount=type=secret,id=tok \\\n    --mount=type=secret,id=aws \\\n    cat /run/secrets/tok /run/secrets/aws\n';
  const isolated = isolateSecretMounts(text, IDS);
  assert.equal(
    isolated?.text,
    'FROM x\nRUN --mount=type=secret,id=tok-1111,target=/run/secrets/tok \\\n    --mount=type=secret,id=aws-2222,target=/run/secrets/aws \\\n    cat /run/secrets/tok /run/secrets/aws\n',
  );
});

test('progress names each step as written: the rewritten mounts are put back in the name BuildKit gives the step', () => {
  const text = 'FROM x\nRUN --mount=type=secret,id=tok --mount=type=secret,id=aws,target=/a cat /run/secrets/tok\n';
  const isolated = isolateSecretMounts(text, IDS);
  assert.equal(
    isolated?.asWritten('[2/2] RUN --mount=type=secret,id=tok-1111,target=/run/secrets/tok --mount=type=secret,target=/a,id=aws-2222 cat /run/secrets/tok'),
    '[2/2] RUN --mount=type=secret,id=tok --mount=type=secret,id=aws,target=/a cat /run/secrets/tok',
  );
  assert.equal(isolated?.asWritten('[1/2] FROM docker.io/library/x:latest'), '[1/2] FROM docker.io/library/x:latest');
});
