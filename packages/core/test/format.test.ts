/**
 * The layer-format rules are written twice, on purpose: in TypeScript (format/overlay-xattrs.ts,
 * for what core reads entry by entry: the watch, the marks) and in C++ (native dir_scan.cc,
 * applied while scanning 100,000 entries). Here both judge the same real entries — every
 * whiteout form and look-alike, every opaque value, redirects, metacopy, in both xattr
 * namespaces — and must agree. Needs root (trusted.* xattrs, mknod).
 */
import { lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sys } from '../src/index.js';
import { isCharWhiteout, isValidRedirect, isXattrWhiteout, opaqueMark, overlayXattr, overlayXattrPrefix } from '../src/format/overlay-xattrs.js';
import { scanFlags } from '../src/format/scan-flags.js';
import { cleanupBase } from './support/cleanup.js';
import { makeBase } from './support/layers.js';
import { describeRoot } from './support/privileged.js';

let base: string;
beforeEach(() => {
  base = makeBase('ovl-format-');
});
afterEach(() => cleanupBase(base));

/** Entries that are, or look like, overlay marks; `ns` is the namespace their marks are written in. */
function makeEntries(dir: string, ns: 'trusted' | 'user'): void {
  mkdirSync(dir);
  const x = (p: string, attr: string, v: string) => sys.lsetxattr(join(dir, p), `${ns}.overlay.${attr}`, v, 0);
  sys.mknod(join(dir, 'wh-chardev'), sys.constants.S_IFCHR, 0, 0);
  sys.mknod(join(dir, 'chardev-1-3'), sys.constants.S_IFCHR | 0o600, 1, 3);
  writeFileSync(join(dir, 'wh-xattr'), '');
  x('wh-xattr', 'whiteout', '');
  writeFileSync(join(dir, 'wh-xattr-not-empty'), 'x');
  x('wh-xattr-not-empty', 'whiteout', '');
  writeFileSync(join(dir, 'empty-plain'), '');
  for (const [name, value] of [['opaque-y', 'y'], ['opaque-x', 'x'], ['opaque-yes', 'yes'], ['opaque-empty', ''], ['opaque-Y', 'Y']] as const) {
    mkdirSync(join(dir, name));
    x(name, 'opaque', value);
  }
  mkdirSync(join(dir, 'redirected'));
  x('redirected', 'redirect', '/a/b');
  writeFileSync(join(dir, 'metacopy'), '');
  x('metacopy', 'metacopy', '');
  writeFileSync(join(dir, 'plain'), 'p');
  mkdirSync(join(dir, 'plain-dir'));
  symlinkSync('plain', join(dir, 'link'));
}

/** What format/overlay-xattrs.ts says of one entry, read entry by entry. */
function tsVerdict(path: string, userxattr: boolean): Record<string, unknown> {
  const st = lstatSync(path);
  const names = st.isSymbolicLink() ? [] : sys.llistxattr(path);
  const value = (attr: 'opaque' | 'redirect') => (names.includes(overlayXattr(attr, { userxattr })) ? sys.lgetxattr(path, overlayXattr(attr, { userxattr })) : undefined);
  return {
    whiteout: isCharWhiteout(st.mode, Number(st.rdev)) || isXattrWhiteout(st.mode, st.size, names.includes(overlayXattr('whiteout', { userxattr }))),
    charWhiteout: isCharWhiteout(st.mode, Number(st.rdev)),
    opaque: st.isDirectory() ? opaqueMark(value('opaque')) : undefined,
    redirect: st.isDirectory() || st.isFile() ? value('redirect')?.toString() : undefined,
    metacopy: st.isFile() && names.includes(overlayXattr('metacopy', { userxattr })),
  };
}

/** What the native scan says of every entry of `dir`. */
function nativeVerdicts(dir: string, userxattr: boolean): Map<string, Record<string, unknown>> {
  const F = scanFlags();
  const scan = sys.scanDir(dir, { xattrPrefix: overlayXattrPrefix({ userxattr }) });
  const out = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < scan.count; i++) {
    const f = scan.flags[i]!;
    out.set(scan.names[i]!, {
      whiteout: (f & (F.WHITEOUT_CHARDEV | F.XATTR_WHITEOUT)) !== 0,
      charWhiteout: (f & F.WHITEOUT_CHARDEV) !== 0,
      opaque: (scan.mode[i]! & sys.constants.S_IFMT) === sys.constants.S_IFDIR ? ((f & F.OPAQUE) !== 0 ? 'y' : (f & F.OPAQUE_X) !== 0 ? 'x' : undefined) : undefined,
      redirect: (f & F.REDIRECT) !== 0 ? scan.redirect[i] : undefined,
      metacopy: (f & F.METACOPY) !== 0,
    });
  }
  return out;
}

describeRoot('layer format: the TypeScript rules and the native scan agree', () => {
  for (const written of ['trusted', 'user'] as const) {
    for (const userxattr of [false, true]) {
      it(`marks written in ${written}.overlay.*, read ${userxattr ? 'with' : 'without'} userxattr`, () => {
        const dir = join(base, `${written}-${userxattr}`);
        makeEntries(dir, written);
        const native = nativeVerdicts(dir, userxattr);
        expect(native.size).toBe(15);
        for (const [name, verdict] of native) expect({ name, ...tsVerdict(join(dir, name), userxattr) }).toEqual({ name, ...verdict });
        // and the marks count only in the namespace the overlay reads
        const counts = written === (userxattr ? 'user' : 'trusted');
        expect(native.get('wh-xattr')!.whiteout).toBe(counts);
        expect(native.get('opaque-y')!.opaque).toBe(counts ? 'y' : undefined);
        expect(native.get('opaque-x')!.opaque).toBe(counts ? 'x' : undefined);
        expect(native.get('opaque-yes')!.opaque).toBeUndefined();
        expect(native.get('wh-chardev')!.whiteout).toBe(true);
        expect(native.get('chardev-1-3')!.whiteout).toBe(false);
        expect(native.get('wh-xattr-not-empty')!.whiteout).toBe(false);
      });
    }
  }
});

it('redirect values the kernel accepts (ovl_get_redirect_xattr)', () => {
  for (const ok of ['/a', '/a/b', 'name', 'with space', '.hidden']) expect(isValidRedirect(ok), ok).toBe(true);
  for (const bad of ['', '/', '//a', '/a//b', '/a/', 'a/b']) expect(isValidRedirect(bad), bad).toBe(false);
});
