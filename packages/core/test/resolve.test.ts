/**
 * overlayfs lookup rules on synthetic listings (no filesystem): each case is a small stack
 * written as data, and the expected kernel answer.
 */
import { describe, expect, it } from 'vitest';
import { resolveName, type DirSource, type EntryLookup } from '../src/view/resolve.js';
import { listing, type Spec } from './support/listings.js';

/** layer dirs: stack index → dir path → name → entry */
type Layers = Array<Record<string, Record<string, Spec>>>;

function setup(layers: Layers) {
  const lookup: EntryLookup = (s, dir, name) => {
    const entries = layers[s]?.[dir];
    const l = entries ? listing(dir, entries) : undefined;
    const i = l ? l.find(name) : -1;
    return l && i >= 0 ? { listing: l, i } : undefined;
  };
  const roots: DirSource[] = layers.map((_, s) => ({ s, path: '/' }));
  return { lookup, roots };
}

function resolve(layers: Layers, name: string, sources?: DirSource[]) {
  const { lookup, roots } = setup(layers);
  const r = resolveName(name, sources ?? roots, roots, lookup);
  return {
    visible: r.visible && { s: r.visible.s, path: r.visible.path },
    ghost: r.ghost && { s: r.ghost.s },
    shadows: r.shadows,
    dirSources: r.dirSources,
    data: r.data && { s: r.data.s, path: r.data.path },
  };
}

describe('resolveName: the kernel lookup rules', () => {
  it('the top-most layer wins; layers below are shadows', () => {
    const r = resolve([{ '/': { a: { kind: 'file' } } }, { '/': { a: { kind: 'file' } } }, { '/': {} }, { '/': { a: { kind: 'symlink' } } }], 'a');
    expect(r.visible).toEqual({ s: 0, path: '/a' });
    expect(r.shadows).toEqual([1, 3]);
  });

  it('a char-device whiteout hides the name and everything below; it is a ghost', () => {
    const r = resolve([{ '/': { a: { kind: 'wh' } } }, { '/': { a: { kind: 'file' } } }, { '/': { a: { kind: 'wh' } } }, { '/': { a: { kind: 'file' } } }], 'a');
    expect(r.visible).toBeUndefined();
    expect(r.ghost).toEqual({ s: 0 });
    expect(r.shadows).toEqual([1]); // stops at the next whiteout
  });

  it('whiteouts in lower layers hide what is below them too, in both forms', () => {
    expect(resolve([{ '/': {} }, { '/': { a: { kind: 'wh' } } }, { '/': { a: { kind: 'file' } } }], 'a').visible).toBeUndefined();
    expect(resolve([{ '/': {} }, { '/': { a: { kind: 'xwh' } } }, { '/': { a: { kind: 'file' } } }], 'a').visible).toBeUndefined();
  });

  it('dirs merge downwards until an opaque dir', () => {
    const r = resolve([{ '/': { d: { kind: 'dir' } } }, { '/': { d: { kind: 'opaque' } } }, { '/': { d: { kind: 'dir' } } }], 'd');
    expect(r.visible).toEqual({ s: 0, path: '/d' });
    expect(r.dirSources).toEqual([{ s: 0, path: '/d' }, { s: 1, path: '/d' }]);
    expect(r.shadows).toEqual([1, 2]);
  });

  it('a visible opaque dir merges nothing', () => {
    const r = resolve([{ '/': { d: { kind: 'opaque' } } }, { '/': { d: { kind: 'dir' } } }], 'd');
    expect(r.dirSources).toEqual([{ s: 0, path: '/d' }]);
  });

  it('a dir never merges with a non-dir below it, nor past it', () => {
    const r = resolve([{ '/': { d: { kind: 'dir' } } }, { '/': { d: { kind: 'file' } } }, { '/': { d: { kind: 'dir' } } }], 'd');
    expect(r.dirSources).toEqual([{ s: 0, path: '/d' }]);
  });

  it('a file on top of a dir hides the dir', () => {
    const r = resolve([{ '/': { d: { kind: 'file' } } }, { '/': { d: { kind: 'dir' } } }], 'd');
    expect(r.visible).toEqual({ s: 0, path: '/d' });
    expect(r.dirSources).toBeUndefined();
  });

  it('a relative redirect continues from another name in the same parent', () => {
    const r = resolve([{ '/': { new: { kind: 'dir', redirect: 'old' }, old: { kind: 'wh' } } }, { '/': { old: { kind: 'dir' } } }], 'new');
    expect(r.dirSources).toEqual([{ s: 0, path: '/new' }, { s: 1, path: '/old' }]);
  });

  it('an absolute redirect continues from a path under every lower root', () => {
    const a = { a: { kind: 'dir' as const } };
    const layers: Layers = [{ '/x': { moved: { kind: 'dir', redirect: '/a/orig' } } }, { '/': a, '/a': { orig: { kind: 'dir' } } }, { '/': a, '/a': { orig: { kind: 'dir' } } }];
    const r = resolve(layers, 'moved', [{ s: 0, path: '/x' }]);
    expect(r.dirSources).toEqual([{ s: 0, path: '/x/moved' }, { s: 1, path: '/a/orig' }, { s: 2, path: '/a/orig' }]);
  });

  it('walks an absolute redirect path component by component in each layer, as ovl_lookup_layer does', () => {
    const top = { '/x': { moved: { kind: 'dir' as const, redirect: '/a/orig' } } };
    const orig = { orig: { kind: 'dir' as const } };
    const chain = (...layers: Layers) => resolve([top, ...layers], 'moved', [{ s: 0, path: '/x' }]).dirSources?.map((d) => d.s);
    // a missing ancestor: nothing in that layer, the next one still counts
    expect(chain({ '/': {} }, { '/': { a: { kind: 'dir' } }, '/a': orig })).toEqual([0, 2]);
    // an opaque ancestor: that layer counts, none below it
    expect(chain({ '/': { a: { kind: 'opaque' } }, '/a': orig }, { '/': { a: { kind: 'dir' } }, '/a': orig })).toEqual([0, 1]);
    // a whited-out or non-dir ancestor ends the lookup
    expect(chain({ '/': { a: { kind: 'wh' } } }, { '/': { a: { kind: 'dir' } }, '/a': orig })).toEqual([0]);
    expect(chain({ '/': { a: { kind: 'symlink' } }, '/a': orig }, { '/': { a: { kind: 'dir' } }, '/a': orig })).toEqual([0]);
  });

  // fs/overlayfs/namei.c: ovl_lookup_single calls ovl_check_redirect on every component of an
  // absolute path that it finds as a dir, not only the last: a dir renamed in one layer and
  // walked through by a redirect of a later one moves the rest of the path (issue 9's case).
  const issueCase = (l1: Record<string, Record<string, Spec>>, l2: Record<string, Record<string, Spec>>): Layers => [
    { '/': { x: { kind: 'dir' }, z: { kind: 'dir', redirect: '/x/d/p' } }, '/x': { d: { kind: 'dir' } }, '/x/d': { p: { kind: 'wh' } } },
    l1,
    l2,
  ];

  it('a redirect on a dir on the way of an absolute redirect moves the rest of the path, for that layer walk and every layer below', () => {
    const layers = issueCase(
      { '/': { x: { kind: 'dir' }, y: { kind: 'wh' } }, '/x': { d: { kind: 'dir', redirect: '/y' } } },
      { '/': { y: { kind: 'dir' } }, '/y': { p: { kind: 'dir' } }, '/y/p': { file: { kind: 'file' } } },
    );
    expect(resolve(layers, 'z').dirSources).toEqual([{ s: 0, path: '/z' }, { s: 2, path: '/y/p' }]);
  });

  it('a relative redirect on the way replaces that one component', () => {
    const layers = issueCase(
      { '/': { x: { kind: 'dir' } }, '/x': { d: { kind: 'dir', redirect: 'e' }, e: { kind: 'wh' } } },
      { '/': { x: { kind: 'dir' } }, '/x': { e: { kind: 'dir' } }, '/x/e': { p: { kind: 'dir' } }, '/x/e/p': { file: { kind: 'file' } } },
    );
    expect(resolve(layers, 'z').dirSources).toEqual([{ s: 0, path: '/z' }, { s: 2, path: '/x/e/p' }]);
  });

  it('an absolute redirect on the way lifts the stop an opaque ancestor set in the same layer', () => {
    const layers = issueCase(
      { '/': { x: { kind: 'opaque' }, y: { kind: 'wh' } }, '/x': { d: { kind: 'dir', redirect: '/y' } } },
      { '/': { y: { kind: 'dir' } }, '/y': { p: { kind: 'dir' } }, '/y/p': { file: { kind: 'file' } } },
    );
    expect(resolve(layers, 'z').dirSources).toEqual([{ s: 0, path: '/z' }, { s: 2, path: '/y/p' }]);
  });

  it('the bottom layer is walked without opaque or redirect checks (d->last)', () => {
    // lower[1] is the last layer: its /x/d's redirect is not read, so /x/d/p there is the one that merges
    const layers: Layers = [
      { '/': { z: { kind: 'dir', redirect: '/x/d/p' } } },
      { '/': { x: { kind: 'dir' } }, '/x': { d: { kind: 'dir', redirect: '/y' } }, '/x/d': { p: { kind: 'dir' } } },
    ];
    expect(resolve(layers, 'z').dirSources).toEqual([{ s: 0, path: '/z' }, { s: 1, path: '/x/d/p' }]);
  });

  it('a lookup that reads a malformed redirect fails, as the kernel\'s does (EINVAL): nothing is visible', () => {
    for (const bad of ['a/b', '//a', '/a//b', '/a/', '/', '']) {
      const r = resolve([{ '/': { n: { kind: 'dir', redirect: bad } } }, { '/': { n: { kind: 'dir' } } }], 'n');
      expect(r.visible, JSON.stringify(bad)).toBeUndefined();
    }
    // on the way of an absolute redirect, too
    const layers: Layers = [{ '/': { z: { kind: 'dir', redirect: '/x/p' } } }, { '/': { x: { kind: 'dir', redirect: 'a/b' } }, '/x': { p: { kind: 'dir' } } }, { '/': {} }];
    expect(resolve(layers, 'z').visible).toBeUndefined();
    // the bottom layer's redirects are never read
    expect(resolve([{ '/': { n: { kind: 'dir' } } }, { '/': { n: { kind: 'dir', redirect: 'a/b' } } }], 'n').dirSources).toHaveLength(2);
  });

  it('with redirects not followed (redirect_dir=nofollow) a redirected dir is refused, as the kernel does', () => {
    const { lookup, roots } = setup([{ '/': { new: { kind: 'dir', redirect: 'old' } } }, { '/': { old: { kind: 'dir' } } }]);
    expect(resolveName('new', roots, roots, lookup, false).visible).toBeUndefined();
  });

  it('a metacopy file takes its data from the first full file below, following its redirect', () => {
    const r = resolve([{ '/': { f: { kind: 'metacopy', redirect: '/g' } } }, { '/': { g: { kind: 'metacopy' } } }, { '/': { g: { kind: 'file', size: 42 } } }], 'f');
    expect(r.visible).toEqual({ s: 0, path: '/f' });
    expect(r.data).toEqual({ s: 2, path: '/g' });
  });

  it('a name only in a lower dir the parent does not merge is looked up there only', () => {
    const r = resolve([{ '/d': { x: { kind: 'wh' } } }], 'x', [{ s: 0, path: '/d' }]);
    expect(r.visible).toBeUndefined();
    expect(r.ghost).toEqual({ s: 0 });
  });
});
