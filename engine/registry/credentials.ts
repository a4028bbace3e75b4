import { chmodSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../sys/errors.js';
import { writeFileAtomic } from '../images/fsutil.js';
import type { Credentials } from './http.js';
import { credentialKey } from './reference.js';

/**
 * Logins, kept as docker keeps them in ~/.docker/config.json: {"auths": {"HOST": {"auth": base64("user:pass")}}}
 * — in $BOXLAB_CONFIG/config.json, else $XDG_CONFIG_HOME/boxlab/config.json, else ~/.config/boxlab/config.json.
 * Written mode 0600: the password is only encoded, not encrypted (as in docker without a credential helper).
 */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.BOXLAB_CONFIG ?? join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'boxlab');
  return join(dir, 'config.json');
}

interface ConfigFile { auths?: Record<string, { auth?: string }>; [k: string]: unknown }

function readConfig(path: string): ConfigFile {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return {}; }
  try { return JSON.parse(text) as ConfigFile; } catch { throw new UserError(`${path} is not valid JSON: fix or remove it`); }
}

export function loadCredentials(registry: string, path = configPath()): Credentials | undefined {
  const entry = readConfig(path).auths?.[credentialKey(registry)];
  if (!entry?.auth) return undefined;
  const plain = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = plain.indexOf(':');
  return colon < 0 ? undefined : { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
}

export function saveCredentials(registry: string, c: Credentials, path = configPath()): void {
  const cfg = readConfig(path);
  cfg.auths = { ...cfg.auths, [credentialKey(registry)]: { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') } };
  writeFileAtomic(path, `${JSON.stringify(cfg, null, '\t')}\n`);
  chmodSync(path, 0o600);
}

/** Returns whether there was a login to remove. */
export function removeCredentials(registry: string, path = configPath()): boolean {
  const cfg = readConfig(path);
  const key = credentialKey(registry);
  if (!cfg.auths?.[key]) return false;
  delete cfg.auths[key];
  writeFileAtomic(path, `${JSON.stringify(cfg, null, '\t')}\n`);
  return true;
}

/** docker's X-Registry-Auth header value for these credentials. */
export function registryAuthHeader(c: Credentials | undefined, registry: string): Record<string, string> {
  if (!c) return {};
  return { 'X-Registry-Auth': Buffer.from(JSON.stringify({ username: c.username, password: c.password, serveraddress: registry })).toString('base64url') };
}
