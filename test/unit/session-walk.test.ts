import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, linkSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goFileMode, kindOf, posixPermissions } from '../../src/buildkit/session/file-mode.js';
import { GO_MODE } from '../../src/golang/file-mode.js';
import { comparePaths } from '../../src/buildkit/session/file-receive.js';
import { ContextWalks } from '../../src/buildkit/session/context-walks.js';
import { walkBatches, type WalkEntry, type WalkOptions } from '../../src/buildkit/session/walk.js';
import { tempDir } from '../support/temp-dir.js';

function tree(files: Record<string, string | null>, links: Record<string, string> = {}): string {
  const root = tempDir('bake-walk-');
  for (const [path, content] of Object.entries(files)) {
    if (content === null) mkdirSync(join(root, path), { recursive: true });
    else {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
  }
  for (const [path, target] of Object.entries(links)) symlinkSync(target, join(root, path));
  return root;
}

async function paths(root: string, opts: WalkOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const e of await entriesOf(root, opts)) out.push(e.stat.path);
  return out;
}

async function entriesOf(root: string, opts: WalkOptions = {}): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const batch of walkBatches(root, opts)) out.push(...batch);
  return out;
}

test('Go FileMode bits from st_mode', () => {
  const cases: [number, number][] = [
    [0o100644, 0o644],
    [0o100755, 0o755],
    [0o040755, (GO_MODE.dir | 0o755) >>> 0],
    [0o120777, GO_MODE.symlink | 0o777],
    [0o010644, (1 << 25) | 0o644],
    [0o020666, (1 << 26) | (1 << 21) | 0o666],
    [0o060660, (1 << 26) | 0o660],
    [0o104755, (1 << 23) | 0o755],
    [0o102755, (1 << 22) | 0o755],
    [0o041777, (GO_MODE.dir | (1 << 20) | 0o777) >>> 0],
    [0o140755, 0o755], // sockets lose their type, as fsutil sends them
  ];
  for (const [st, go] of cases) assert.equal(goFileMode(st), go, st.toString(8));
  assert.equal(kindOf(goFileMode(0o040700)), 'dir');
  assert.equal(kindOf(goFileMode(0o120777)), 'symlink');
  assert.equal(kindOf(goFileMode(0o100600)), 'file');
  assert.equal(kindOf(goFileMode(0o010600)), 'other');
  assert.equal(posixPermissions((1 << 23) | (1 << 20) | 0o755), 0o5755);
});

test('walk order: pre-order, names by UTF-8 bytes, `/` below every byte', async () => {
  const root = tree({ 'a/b.txt': 'x', 'a-b': 'x', 'a.txt': 'x', ｘ: 'x', '😀': 'x', B: 'x', 'a/c/d': 'x' });
  const got = await paths(root);
  assert.deepEqual(got, ['B', 'a', 'a/b.txt', 'a/c', 'a/c/d', 'a-b', 'a.txt', 'ｘ', '😀']);
  for (let i = 1; i < got.length; i++) assert.ok(comparePaths(got[i - 1]!, got[i]!) < 0, `${got[i - 1]} < ${got[i]}`);
});

test('walk stats: modes, owners, ns mtimes, links kept as links, empty dirs, hard links', async () => {
  const root = tree(
    { 'run.sh': '#!/bin/sh\n', 'data.txt': 'hello', empty: null },
    { 'in-link': 'data.txt', 'out-link': '../../etc/passwd', 'abs-link': '/etc' },
  );
  chmodSync(join(root, 'run.sh'), 0o755);
  linkSync(join(root, 'data.txt'), join(root, 'hard.txt'));
  const entries = new Map<string, WalkEntry>();
  for (const e of await entriesOf(root)) entries.set(e.stat.path, e);
  assert.deepEqual([...entries.keys()], ['abs-link', 'data.txt', 'empty', 'hard.txt', 'in-link', 'out-link', 'run.sh']);
  const run = entries.get('run.sh')!;
  assert.equal(run.stat.mode, 0o755);
  assert.equal(run.stat.size, '10');
  assert.equal(run.stat.uid, 0);
  assert.equal(run.stat.gid, 0);
  assert.equal(run.stat.modTime, lstatSync(join(root, 'run.sh'), { bigint: true }).mtimeNs.toString());
  assert.equal(run.source, join(root, 'run.sh'));
  const out = entries.get('out-link')!;
  assert.equal(out.stat.mode, (GO_MODE.symlink | 0o777) >>> 0);
  assert.equal(out.stat.linkname, '../../etc/passwd');
  assert.equal(out.stat.size, String('../../etc/passwd'.length));
  assert.equal(out.source, undefined, 'a link is never read through');
  assert.equal(entries.get('abs-link')!.stat.linkname, '/etc');
  assert.equal(entries.get('empty')!.stat.mode, (GO_MODE.dir | 0o755) >>> 0);
  assert.equal(entries.get('hard.txt')!.stat.linkname, 'data.txt', 'the second name of a file is sent as a hard link');
  assert.equal(entries.get('hard.txt')!.stat.size, '0');
});

test('walk filters: include patterns, followpaths through symlinks, excludes with negation', async () => {
  const root = tree(
    {
      'a/b.txt': 'x',
      'a/other': 'x',
      'a/deep/z': 'x',
      'c.txt': 'x',
      'sub/Dockerfile': 'x',
      'sub/other': 'x',
      'logs/a.log': 'x',
      'logs/keep.log': 'x',
      'x.log': 'x',
    },
    { df: 'sub/Dockerfile', abs: '/sub/other' },
  );
  assert.deepEqual(await paths(root, { includePatterns: ['a/b.txt'] }), ['a', 'a/b.txt'], 'a partial match sends the dir, then filters');
  assert.deepEqual(await paths(root, { includePatterns: ['a'] }), ['a', 'a/b.txt', 'a/deep', 'a/deep/z', 'a/other'], 'a full match sends the subtree');
  assert.deepEqual(await paths(root, { includePatterns: ['*.txt'] }), ['c.txt']);
  assert.deepEqual(await paths(root, { followPaths: ['df'] }), ['df', 'sub', 'sub/Dockerfile'], 'a followed link adds its target');
  assert.deepEqual(await paths(root, { followPaths: ['abs'] }), ['abs', 'sub', 'sub/other'], 'an absolute target stays inside the root');
  assert.deepEqual(await paths(root, { followPaths: ['d*'] }), ['df', 'sub', 'sub/Dockerfile'], 'wildcards in followpaths');
  assert.deepEqual(await paths(root, { followPaths: ['.', 'df'] }), await paths(root), '"." means everything');
  assert.deepEqual(await paths(root, { excludePatterns: ['*.log', 'logs', '!logs/keep.log', 'sub', 'a/**'] }), [
    'a',
    'abs',
    'c.txt',
    'df',
    'logs',
    'logs/keep.log',
  ]);
  assert.deepEqual(
    await paths(root, { excludePatterns: ['logs'] }),
    ['a', 'a/b.txt', 'a/deep', 'a/deep/z', 'a/other', 'abs', 'c.txt', 'df', 'sub', 'sub/Dockerfile', 'sub/other', 'x.log'],
    'an excluded dir is skipped whole',
  );
  assert.deepEqual(await paths(root, { includePatterns: ['a'], excludePatterns: ['a/deep'] }), ['a', 'a/b.txt', 'a/other']);
});

test('walk batches: a tree of 700 entries in three levels comes in batches of at most 256, in the one pre-order', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`d${i % 3}/e${i % 7}/f${String(i).padStart(3, '0')}`] = 'x';
  const root = tree(files);
  const sizes: number[] = [];
  const got: string[] = [];
  for await (const batch of walkBatches(root)) {
    sizes.push(batch.length);
    got.push(...batch.map((e) => e.stat.path));
  }
  const expected = [...new Set(Object.keys(files).flatMap((p) => [p.split('/')[0]!, p.split('/').slice(0, 2).join('/'), p]))].sort(comparePaths);
  assert.deepEqual(got, expected);
  assert.ok(sizes.length > 1 && sizes.every((n) => n > 0 && n <= 256), `batch sizes ${sizes.join(', ')}`);
});

test('context walks: a transfer takes the walk build avoidance made with the same filters, once', async () => {
  const root = tree({ 'src/a': 'x', 'src/b': 'x', other: 'x' });
  const walks = new ContextWalks();
  const signal = new AbortController().signal;
  const listed = await walks.list(root, { excludePatterns: [], followPaths: ['src'] }, signal);
  assert.deepEqual(
    listed.map((e) => e.stat.path),
    ['src', 'src/a', 'src/b'],
  );
  assert.equal(walks.take(root, { followPaths: ['Dockerfile'] }), undefined, 'other filters: walked afresh');
  assert.equal(walks.take(root, { includePatterns: [], followPaths: ['src'] }), undefined, 'an empty include list sends nothing: not the same walk');
  // The engine sends no exclude patterns where build avoidance had an empty .dockerignore: the same walk.
  assert.equal(await walks.take(root, { followPaths: ['src'] }), listed);
  assert.equal(walks.take(root, { followPaths: ['src'] }), undefined, 'a second transfer walks afresh');
  assert.equal(await walks.list(root, { followPaths: ['src'] }, signal), listed, 'a later check of the run reads the same walk');
});
