// Reading a layer leaves it as it was: the addon's read-only opens (readBeneath,
// readManyBeneath, statManyBeneath, streamBeneath, scanDir, scanNames) ask for O_NOATIME, and
// fall back to a plain open where the kernel refuses that (a caller that neither owns the file
// nor has CAP_FOWNER). Checked on a tmpfs mounted strictatime, where any read would otherwise
// set the atime; that mount needs root and a private mount namespace.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C, addonPath, inPrivateMountNamespace, isRoot, makeTempDir, native, removeTempDir } from './helpers.mjs';

const privileged = isRoot && inPrivateMountNamespace();
if (!privileged && process.env.OVL_REQUIRE_PRIVILEGED === '1') {
  throw new Error(`OVL_REQUIRE_PRIVILEGED=1 but this process cannot mount safely (root: ${isRoot}, private mount namespace: ${inPrivateMountNamespace()})`);
}

const LONG_AGO = new Date('2001-02-03T04:05:06Z');
const atimeOf = (p) => fs.lstatSync(p).atimeMs;

describe.runIf(privileged)('reads leave atimes alone (tmpfs mounted strictatime)', () => {
  let dir, root;
  beforeEach(() => {
    dir = makeTempDir();
    root = path.join(dir, 'root');
    fs.mkdirSync(root);
    native.mount('tmpfs', root, 'tmpfs', C.MS_STRICTATIME, 'mode=0755');
    fs.mkdirSync(path.join(root, 'd'));
    for (const name of ['f', 'g', 'd/x']) fs.writeFileSync(path.join(root, name), `content of ${name}`);
    for (const name of ['f', 'g', 'd/x', 'd', '.']) fs.utimesSync(path.join(root, name), LONG_AGO, LONG_AGO);
  });
  afterEach(() => {
    try {
      native.umount2(root, C.MNT_DETACH);
    } finally {
      removeTempDir(dir);
    }
  });

  it('a plain read on this mount does set the atime (so the checks below can fail)', () => {
    fs.readFileSync(path.join(root, 'g'));
    fs.readdirSync(path.join(root, 'd'));
    expect(atimeOf(path.join(root, 'g'))).toBeGreaterThan(LONG_AGO.getTime());
    expect(atimeOf(path.join(root, 'd'))).toBeGreaterThan(LONG_AGO.getTime());
  });

  it('readBeneath, readManyBeneath, statManyBeneath, streamBeneath, scanDir and scanNames read without setting one', async () => {
    expect(native.readBeneath(root, 'f', 0, 100).data.toString()).toBe('content of f');
    expect((await native.readBeneathAsync(root, 'd/x', 0, 100)).data.toString()).toBe('content of d/x');
    const many = native.readManyBeneath(root, ['f', 'g'], 100);
    expect(many.data.toString()).toBe('content of fcontent of g');
    // with a key that no longer matches, g is read again through its O_PATH fd, reopened
    expect(many.keys.length).toBe(2 * 40);
    const again = native.readManyBeneath(root, ['g'], 100, Buffer.alloc(40, 0xff), Date.now());
    expect([again.same[0], again.data.toString()]).toEqual([0, 'content of g']);

    // statManyBeneath reads small files whole, reopening the O_PATH fd it stat'ed
    const [inlined] = native.statManyBeneath(root, ['f'], 100);
    expect(inlined.data.toString()).toBe('content of f');

    const out = path.join(dir, 'out');
    const fd = fs.openSync(out, 'w');
    try {
      const size = fs.statSync(path.join(root, 'f')).size;
      const r = native.streamBeneath(fd, [root], Buffer.from('<>'), Float64Array.from([1, 0, 0, size, 0, size]), ['f'], null);
      expect(r.stopped).toBeUndefined();
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(out, 'utf8')).toBe('<content of f>');

    expect(native.scanDir(path.join(root, 'd'), { xattrPrefix: 'trusted.overlay.' }).names).toEqual(['x']);
    expect(native.scanDir('d', { xattrPrefix: 'trusted.overlay.', beneath: root }).names).toEqual(['x']);
    expect(native.scanDir(root, { xattrPrefix: 'trusted.overlay.', sorted: true }).names).toEqual(['d', 'f', 'g']);
    expect(native.scanNames(path.join(root, 'd'), ['x'], { xattrPrefix: 'trusted.overlay.' }).names).toEqual(['x']);

    for (const name of ['f', 'g', 'd/x', 'd', '.']) expect([name, atimeOf(path.join(root, name))]).toEqual([name, LONG_AGO.getTime()]);
  });

  it('without CAP_FOWNER, a file someone else owns is still read (the atime then set); one it owns is not touched', () => {
    fs.chownSync(path.join(root, 'g'), 1234, 1234);
    // root without CAP_FOWNER: O_NOATIME is refused on g (owned by 1234), allowed on f (its own)
    const script = `const n = require(${JSON.stringify(addonPath)});
      const r = (rel) => n.readBeneath(${JSON.stringify(root)}, rel, 0, 100).data.toString();
      process.stdout.write(JSON.stringify([r('f'), r('g')]));`;
    const child = spawnSync('setpriv', ['--bounding-set=-fowner', '--inh-caps=-fowner', process.execPath, '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(['content of f', 'content of g']);
    expect(atimeOf(path.join(root, 'f'))).toBe(LONG_AGO.getTime());
    expect(atimeOf(path.join(root, 'g'))).toBeGreaterThan(LONG_AGO.getTime());
  });
});
