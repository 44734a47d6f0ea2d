/**
 * Where containers-storage keeps its stores, as podman finds them: storage.conf's
 * `graphroot` / `runroot` / `driver` ($CONTAINERS_STORAGE_CONF, else for root
 * /etc/containers/storage.conf, then /usr/share/containers/storage.conf; for a rootless user
 * $XDG_CONFIG_HOME/containers/storage.conf, else ~/.config/containers/storage.conf), with
 * containers-storage's own defaults when none sets them. The parse is pure; the lookup
 * reads only those config files and /etc/passwd.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface StorageConf {
  graphroot?: string;
  runroot?: string;
  driver?: string;
}

/** A store to read: its graph root, and its run root when known (mountpoints.json, volatile files). */
export interface StoreLocation {
  graphroot: string;
  runroot?: string;
  /** The store belongs to a rootless user: its overlays keep whiteouts and opaque dirs in user.overlay.* xattrs. */
  rootless: boolean;
}

/** Unquote a TOML basic ('"..."', with \\ \" \n \t \uXXXX escapes) or literal ('\'...\'') string. */
function tomlString(raw: string): string | undefined {
  const v = raw.trim();
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    return end < 0 ? undefined : v.slice(1, end);
  }
  if (!v.startsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = v[++i];
    if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(v.slice(i + 1, i + 1 + n), 16));
      i += n;
    } else out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' } as Record<string, string>)[e ?? ''] ?? e ?? '';
  }
  return undefined;
}

/** The [storage] table's graphroot, runroot and driver from storage.conf text (other tables and keys ignored). */
export function parseStorageConf(text: string): StorageConf {
  const conf: StorageConf = {};
  let table = '';
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(l);
    if (header) {
      table = header[1]!;
      continue;
    }
    if (table !== 'storage') continue;
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(l);
    if (!kv) continue;
    const value = tomlString(kv[2]!);
    if (value === undefined || value === '') continue;
    if (kv[1] === 'graphroot' || kv[1] === 'runroot' || kv[1] === 'driver') conf[kv[1]] = value;
  }
  return conf;
}

function readConf(file: string): StorageConf | undefined {
  try {
    return parseStorageConf(readFileSync(file, 'utf8'));
  } catch {
    // Unreadable or absent: podman falls through to the next file or its defaults as well.
    return undefined;
  }
}

function firstConf(files: string[]): StorageConf {
  for (const f of files) {
    const c = readConf(f);
    if (c !== undefined) return c;
  }
  return {};
}

/** The rootful store: /var/lib/containers/storage unless storage.conf says otherwise. */
function rootfulStore(env: NodeJS.ProcessEnv): StoreLocation & { driver?: string } {
  const conf = firstConf([env.CONTAINERS_STORAGE_CONF, '/etc/containers/storage.conf', '/usr/share/containers/storage.conf'].filter((f): f is string => !!f));
  return { graphroot: conf.graphroot ?? '/var/lib/containers/storage', runroot: conf.runroot ?? '/run/containers/storage', rootless: false, ...(conf.driver !== undefined && { driver: conf.driver }) };
}

/** A user's rootless store: their storage.conf's graphroot, else ~/.local/share/containers/storage. */
function rootlessStore(home: string, uid: number, env: NodeJS.ProcessEnv, own: boolean): StoreLocation & { driver?: string } {
  const configHome = own && env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(home, '.config');
  const files = own && env.CONTAINERS_STORAGE_CONF ? [env.CONTAINERS_STORAGE_CONF] : [join(configHome, 'containers', 'storage.conf')];
  const conf = firstConf(files);
  const runtimeDir = own && env.XDG_RUNTIME_DIR ? env.XDG_RUNTIME_DIR : `/run/user/${uid}`;
  return {
    graphroot: conf.graphroot ?? join(own && env.XDG_DATA_HOME ? env.XDG_DATA_HOME : join(home, '.local', 'share'), 'containers', 'storage'),
    runroot: conf.runroot ?? join(runtimeDir, 'containers'),
    rootless: true,
    ...(conf.driver !== undefined && { driver: conf.driver }),
  };
}

/** Users with a home dir, from /etc/passwd text (name:pw:uid:gid:gecos:home:shell). */
export function passwdHomes(text: string): Array<{ uid: number; home: string }> {
  const out: Array<{ uid: number; home: string }> = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    const uid = Number(f[2]);
    if (f.length < 7 || !Number.isInteger(uid) || uid === 0 || !f[5]?.startsWith('/')) continue;
    out.push({ uid, home: f[5] });
  }
  return out;
}

/**
 * The stores podman would use on this machine, overlay driver only: as root the rootful
 * store and every user's rootless store (homes from /etc/passwd); as a user their own
 * rootless store and the rootful one (which then reads as ERR_OVL_STORAGE_UNREADABLE).
 */
export function defaultStores(env: NodeJS.ProcessEnv = process.env): StoreLocation[] {
  const uid = process.getuid?.() ?? 0;
  const found: Array<StoreLocation & { driver?: string }> = [rootfulStore(env)];
  if (uid === 0) {
    let passwd = '';
    try {
      passwd = readFileSync('/etc/passwd', 'utf8');
    } catch {
      // no passwd: the rootful store only
    }
    for (const u of passwdHomes(passwd)) found.push(rootlessStore(u.home, u.uid, env, false));
  } else {
    found.push(rootlessStore(env.HOME ?? homedir(), uid, env, true));
  }
  const stores = new Map<string, StoreLocation>();
  for (const { driver, ...s } of found) {
    // Only the overlay driver keeps overlay layer dirs (vfs, btrfs, zfs stores are not overlays).
    if (driver !== undefined && driver !== 'overlay' && driver !== 'overlay2') continue;
    if (!stores.has(s.graphroot)) stores.set(s.graphroot, s);
  }
  return [...stores.values()];
}
