/**
 * `ssh = ["default"]` against the real engine: a real ssh-agent holding a
 * fresh key answers a RUN --mount=type=ssh step, a target without ssh is
 * refused, and no key material reaches the output. Without an engine (or
 * without ssh-agent) these tests fail, never skip.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runBake, type Run } from '../support/bake-cli.js';

import { requireBuildEngine } from '../support/engine.js';

const nonce = randomBytes(4).toString('hex');
let socketPath = '';
let project = '';
let keys = '';
let agent: ChildProcess | undefined;
let agentSock = '';

const run = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  runBake(args, { cwd: project, socketPath, env: { SSH_AUTH_SOCK: agentSock, ...env } });

/**
 * A static x86-64 Linux program for the build container, which has BusyBox
 * only and BusyBox's nc cannot open a unix socket. `agent-probe PATH`
 * connects to the agent socket PATH, sends SSH2_AGENTC_REQUEST_IDENTITIES
 * (uint32 length 1, byte 11), copies the reply to stdout until it has the
 * 9 bytes of length, type and key count, and exits 0 (1 on any failure).
 * The code is `as` output for the assembly in the comments (Intel syntax).
 */
function agentProbe(): Buffer {
  const code = Buffer.from(
    [
      '488b742410', //          mov rsi, [rsp+16]        ; argv[1]
      '4883ec70', //            sub rsp, 112             ; sockaddr_un, later the read buffer
      '66c704240100', //        mov word [rsp], 1        ; AF_UNIX
      '488d7c2402', //          lea rdi, [rsp+2]         ; sun_path
      'ac', //            copy: lodsb
      'aa', //                  stosb
      '84c0', //                test al, al
      '75fa', //                jnz copy                 ; the path, NUL included
      'b829000000', //          mov eax, 41              ; socket(AF_UNIX, SOCK_STREAM, 0)
      'bf01000000', //          mov edi, 1
      'be01000000', //          mov esi, 1
      '31d2', //                xor edx, edx
      '0f05', //                syscall
      '85c0', //                test eax, eax
      '7869', //                js fail
      '89c3', //                mov ebx, eax             ; the fd, kept in ebx
      'b82a000000', //          mov eax, 42              ; connect(fd, sockaddr, 110)
      '89df', //                mov edi, ebx
      '4889e6', //              mov rsi, rsp
      'ba6e000000', //          mov edx, 110
      '0f05', //                syscall
      '85c0', //                test eax, eax
      '7552', //                jnz fail
      'b801000000', //          mov eax, 1               ; write(fd, request, 5)
      '89df', //                mov edi, ebx
      '488d3550000000', //      lea rsi, [rip+request]
      'ba05000000', //          mov edx, 5
      '0f05', //                syscall
      '83f805', //              cmp eax, 5
      '7538', //                jne fail
      '4531e4', //              xor r12d, r12d           ; bytes of reply so far
      '31c0', //          more: xor eax, eax             ; read(fd, buf, 112)
      '89df', //                mov edi, ebx
      '4889e6', //              mov rsi, rsp
      'ba70000000', //          mov edx, 112
      '0f05', //                syscall
      '85c0', //                test eax, eax
      '7e23', //                jle fail
      '4101c4', //              add r12d, eax
      '89c2', //                mov edx, eax             ; write(1, buf, n)
      'b801000000', //          mov eax, 1
      'bf01000000', //          mov edi, 1
      '4889e6', //              mov rsi, rsp
      '0f05', //                syscall
      '4183fc09', //            cmp r12d, 9
      '7cd4', //                jl more
      'b83c000000', //          mov eax, 60              ; exit(0)
      '31ff', //                xor edi, edi
      '0f05', //                syscall
      'b83c000000', //    fail: mov eax, 60              ; exit(1)
      'bf01000000', //          mov edi, 1
      '0f05', //                syscall
      '000000010b', //       request: uint32 1, SSH2_AGENTC_REQUEST_IDENTITIES
    ].join(''),
    'hex',
  );
  // One ELF64 header and one PT_LOAD program header mapping the whole file read+execute at 0x400000.
  const base = 0x400000n;
  const headers = 64 + 56;
  const elf = Buffer.alloc(headers + code.length);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // magic, ELFCLASS64, little-endian, version 1
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(62, 18); // EM_X86_64
  elf.writeUInt32LE(1, 20); // EV_CURRENT
  elf.writeBigUInt64LE(base + BigInt(headers), 24); // entry: the code right after the headers
  elf.writeBigUInt64LE(64n, 32); // program headers at 64
  elf.writeUInt16LE(64, 52); // ELF header size
  elf.writeUInt16LE(56, 54); // program header size
  elf.writeUInt16LE(1, 56); // one program header
  elf.writeUInt32LE(1, 64); // PT_LOAD
  elf.writeUInt32LE(5, 68); // PF_R | PF_X
  elf.writeBigUInt64LE(base, 80); // vaddr (offset 0 at 72 is already zero)
  elf.writeBigUInt64LE(base, 88); // paddr
  elf.writeBigUInt64LE(BigInt(elf.length), 96); // filesz
  elf.writeBigUInt64LE(BigInt(elf.length), 104); // memsz
  elf.writeBigUInt64LE(0x1000n, 112); // align
  code.copy(elf, headers);
  return elf;
}

/** Starts `ssh-agent -D -a PATH` (foreground, so it is our child) and resolves once it listens. */
function startAgent(path: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh-agent', ['-D', '-a', path], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', (e) => reject(new Error(`cannot start ssh-agent (${e.message}): install openssh-client`)));
    child.on('exit', (code) => reject(new Error(`ssh-agent exited with ${code}`)));
    // It prints its SSH_AUTH_SOCK= line once the socket is bound.
    child.stdout.once('data', () => resolve(child));
  });
}

before(async () => {
  socketPath = await requireBuildEngine();
  assert.equal(process.arch, 'x64', 'agent-probe is x86-64 machine code, and the build container runs on this machine');
  // The key and the agent live outside the project: nothing of them is in the build context.
  keys = mkdtempSync(join(tmpdir(), 'bake-ssh-keys-'));
  agentSock = join(keys, 'agent.sock');
  agent = await startAgent(agentSock);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `bake-test-${nonce}`, '-f', join(keys, 'id_ed25519')]);
  execFileSync('ssh-add', [join(keys, 'id_ed25519')], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'ignore' });
  project = mkdtempSync(join(tmpdir(), 'bake-ssh-'));
  writeFileSync(join(project, 'agent-probe'), agentProbe(), { mode: 0o755 });
  // SSH mounts are not part of BuildKit's cache key: the nonce makes each run execute the step.
  const probe = 'set -- $(agent-probe "$SSH_AUTH_SOCK" | od -An -tu1 -N9) && n=$(( $6 << 24 | $7 << 16 | $8 << 8 | $9 ))';
  writeFileSync(
    join(project, 'ssh.Dockerfile'),
    'FROM bake-test/busybox\n' +
      `RUN --mount=type=ssh --mount=type=bind,source=agent-probe,target=/usr/local/bin/agent-probe test -S "$SSH_AUTH_SOCK" && ${probe} && echo "agent reply: type $5, $n keys" | tee /agent.txt && test "$5" = 12 && test "$n" -ge 1 # ${nonce}\n`,
  );
  writeFileSync(join(project, 'required.Dockerfile'), `FROM bake-test/busybox\nRUN --mount=type=ssh,required=true test -S "$SSH_AUTH_SOCK" # ${nonce}\n`);
  writeFileSync(
    join(project, 'docker-bake.hcl'),
    // The test engine runs with --bridge=none: RUN steps need network "none".
    `target "ssh" {\n  dockerfile = "ssh.Dockerfile"\n  network = "none"\n  ssh = ["default"]\n  output = ["type=tar,dest=ssh.tar"]\n}\n` +
      `target "nossh" {\n  dockerfile = "required.Dockerfile"\n  network = "none"\n  output = ["type=cacheonly"]\n}\n`,
  );
});

after(() => {
  agent?.kill();
  if (keys) rmSync(keys, { recursive: true, force: true });
  if (project) rmSync(project, { recursive: true, force: true });
});

test('ssh = ["default"] forwards $SSH_AUTH_SOCK: the agent answers REQUEST_IDENTITIES inside RUN --mount=type=ssh with its one key', async () => {
  const r = await run(['-f', join(project, 'docker-bake.hcl'), 'ssh', '--progress=plain']);
  assert.equal(r.status, 0, r.stderr);
  // Type 12 is SSH2_AGENT_IDENTITIES_ANSWER; the count is the agent's, which holds exactly the key added above.
  assert.match(r.stderr, /#\d+ \d+\.\d agent reply: type 12, 1 keys\n/);
  assert.equal(execFileSync('tar', ['-xOf', join(project, 'ssh.tar'), 'agent.txt'], { encoding: 'utf8' }), 'agent reply: type 12, 1 keys\n');
  console.log(`ssh build: ${r.ms.toFixed(0)} ms, agent answered with 1 identity inside the container`);
});

test('the private key never reaches the output: neither its base64 body nor any line of it nor its bytes are in the tar', () => {
  const tar = readFileSync(join(project, 'ssh.tar'));
  assert.ok(tar.length > 100_000, `the tar holds the filesystem (${tar.length} bytes)`);
  const pem = readFileSync(join(keys, 'id_ed25519'), 'utf8');
  const lines = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const body = lines.join('');
  assert.ok(body.length > 300, 'the key file has a base64 body');
  assert.equal(tar.includes(body), false, 'base64 body');
  for (const line of lines) assert.equal(tar.includes(line), false, `base64 line ${line}`);
  assert.equal(tar.includes(Buffer.from(body, 'base64')), false, 'decoded key bytes');
  console.log(`key check: ${body.length} base64 characters in ${lines.length} lines, none of them in the ${tar.length}-byte tar`);
});

test('a target without ssh whose RUN requires an ssh mount fails with one line naming the agent not forwarded', async () => {
  const r = await run(['-f', join(project, 'docker-bake.hcl'), 'nossh', '--progress=plain']);
  assert.equal(r.status, 1, r.stderr);
  // Our session's sentence, inside whatever the engine wraps it in (20.10 "rpc error: code = NotFound desc = …", 26 "NotFound: …").
  assert.match(r.stderr, /#\d+ ERROR: .*The SSH agent "default" is not forwarded to this build\.\n/);
  assert.match(r.stderr, /\nerror: failed to build nossh: .*The SSH agent "default" is not forwarded to this build\.\n$/);
  assert.ok(existsSync(agentSock), 'SSH_AUTH_SOCK was set and valid: the target, not the environment, lacked ssh');
});
