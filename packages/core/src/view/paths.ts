/** Overlay-relative paths: always '/'-rooted, no trailing slash (except the root), no '.' or '..'. Pure. */
import { posix } from 'node:path';

/** Normalise a user-given path inside the overlay ('a/b', '/a/b/', '' → '/a/b', '/'). */
export function overlayPath(rel: string): string {
  if (typeof rel !== 'string') throw new TypeError('The "path" argument must be a string (a path inside the overlay).');
  const p = posix.normalize(`/${rel}`);
  // normalize keeps '..' at the root as '/..': the overlay has nothing above its root.
  const clean = p.replace(/\/\.\.(?=\/|$)/g, '');
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean || '/';
}

export function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The components of an overlay path: '/a/b' → ['a', 'b']. */
export function components(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}
