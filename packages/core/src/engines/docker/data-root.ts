/**
 * Where Docker keeps its storage and its pid: `data-root` (older: `graph`) and `pidfile`
 * from /etc/docker/daemon.json, else /var/lib/docker and /var/run/docker.pid — dockerd's
 * own defaults. A daemon.json that does not parse is an error: dockerd would refuse it too.
 */
import { join } from 'node:path';
import { parseJsonObject, readOptionalTextSync, stringField } from '../metadata-files.js';

/**
 * The data root as the prefix of the paths a listing puts together by hand (`${base}/containers`):
 * normalised, no trailing slash ('' for '/').
 */
export function pathBase(root: string): string {
  return join(root).replace(/\/$/, '');
}

export const DAEMON_JSON = '/etc/docker/daemon.json';
const DEFAULT_ROOT = '/var/lib/docker';
const DEFAULT_PIDFILE = '/var/run/docker.pid';

export interface DockerPlaces {
  roots: string[];
  pidFile: string;
}

/** The data roots to read (`roots` when given) and dockerd's pid file. */
export async function dockerPlaces(roots: readonly string[] | undefined, daemonJson = DAEMON_JSON): Promise<DockerPlaces> {
  const text = readOptionalTextSync('docker', daemonJson);
  const config = text === undefined ? undefined : parseJsonObject('docker', daemonJson, text);
  return {
    roots: roots !== undefined ? [...roots] : [stringField(config, 'data-root') ?? stringField(config, 'graph') ?? DEFAULT_ROOT],
    pidFile: stringField(config, 'pidfile') ?? DEFAULT_PIDFILE,
  };
}
