/**
 * A tree as data for comparing trees made different ways (the kernel's merged dir, an
 * unpacked image, a flattened or committed stack): per path its type, permission bits,
 * owner and content or target. No times: tools differ in what they keep.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** What a tree shows, entry by entry: type, permission bits, owner, content or target. No times. */
export function treeOf(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string, rel: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return; // listed by readdir but not reachable by lookup (an invalid redirect): the kernel shows nothing there
    }
    let detail = '';
    if (st.isFile()) detail = readFileSync(p).toString('base64');
    else if (st.isSymbolicLink()) detail = readlinkSync(p);
    else if (st.isCharacterDevice() || st.isBlockDevice()) detail = `dev ${st.rdev}`;
    const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'chardev' : 'other';
    // A symlink's mode is always 0777 on Linux; a dir's size is the filesystem's business.
    out.set(rel, `${kind} ${kind === 'symlink' ? '' : (st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${detail}`);
    if (st.isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name), rel === '/' ? `/${name}` : `${rel}/${name}`);
  };
  walk(root, '/');
  return out;
}

/** What differs between the expected tree and one made another way, one line per path. */
export function differences(kernel: Map<string, string>, unpacked: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, k] of kernel) if (p !== '/' && unpacked.get(p) !== k) out.push(`${p}: kernel '${k}' unpacked '${unpacked.get(p) ?? 'absent'}'`);
  for (const p of unpacked.keys()) if (!kernel.has(p)) out.push(`${p}: only in the unpacked image`);
  return out;
}
