/**
 * Registry credentials from a Docker config directory: credHelpers, then
 * credsStore (both through `docker-credential-<name> get`), then the base64
 * `auth` of config.json. No credentials = anonymous (empty answer). The
 * session's Auth service answers with them; a push asks them directly.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  Username: string;
  Secret: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

const ANONYMOUS: Credentials = { Username: '', Secret: '' };

export async function credentials(configDir: string, requestHost: string): Promise<Credentials> {
  // Docker Hub's credentials are stored under its legacy index address.
  const host = requestHost === 'registry-1.docker.io' ? 'https://index.docker.io/v1/' : requestHost;
  const config = await readConfig(configDir);
  const helper = config.credHelpers?.[host] ?? config.credHelpers?.[hostname(host)] ?? config.credsStore;
  if (helper) {
    const fromHelper = await helperGet(helper, host);
    if (fromHelper) return fromHelper;
  }
  const entry = findAuth(config.auths ?? {}, host);
  return entry ? fromEntry(entry, host) : ANONYMOUS;
}

async function readConfig(dir: string): Promise<DockerConfig> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Cannot read the Docker config ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (e) {
    throw new Error(`The Docker config ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** The exact key, else a key that names the same host (with scheme or path), as docker's file store matches. */
function findAuth(auths: Record<string, AuthEntry>, host: string): AuthEntry | undefined {
  if (auths[host]) return auths[host];
  const want = hostname(host);
  for (const [key, entry] of Object.entries(auths)) if (hostname(key) === want) return entry;
  return undefined;
}

function hostname(address: string): string {
  return address.replace(/^[a-z]+:\/\//i, '').split('/')[0] ?? '';
}

function fromEntry(entry: AuthEntry, host: string): Credentials {
  if (entry.identitytoken) return { Username: '', Secret: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Error(`The Docker config entry for ${host} has an "auth" value that is not base64 of user:password.`);
    return { Username: decoded.slice(0, colon), Secret: decoded.slice(colon + 1) };
  }
  return { Username: entry.username ?? '', Secret: entry.password ?? '' };
}

/** `docker-credential-<helper> get`; "not found" means no credentials there. */
function helperGet(helper: string, host: string): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = execFile(program, ['get'], { timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout) => {
      if (err) {
        if (/credentials not found/i.test(stdout) || /credentials not found/i.test(err.message)) return resolve(undefined);
        return reject(new Error(`The credential helper ${program} failed for ${host}: ${stdout.trim() || err.message}`));
      }
      try {
        const out = JSON.parse(stdout) as { Username?: string; Secret?: string };
        // A helper returns an identity token with the user name "<token>".
        if (out.Username === '<token>') return resolve({ Username: '', Secret: out.Secret ?? '' });
        resolve({ Username: out.Username ?? '', Secret: out.Secret ?? '' });
      } catch {
        reject(new Error(`The credential helper ${program} printed something other than JSON for ${host}.`));
      }
    });
    child.stdin?.end(host);
  });
}

/** The Docker config directory: DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: (name: string) => string | undefined): string {
  return env('DOCKER_CONFIG') || join(homedir(), '.docker');
}
