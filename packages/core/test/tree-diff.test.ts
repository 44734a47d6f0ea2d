/**
 * The engines' tree diff (Docker's naive diff, containerd's snapshot diff) on layers written
 * here, offline: the rules go-archive's addChanges applies, each in one case. The same rules
 * are checked against `docker diff` and `ctr snapshots diff` in the engine suites.
 */
import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { treeDiffChanges } from '../src/engines/tree-diff.js';
import { createWhiteout, openOverlay, setOpaque } from '../src/index.js';
import { describeRoot } from './support/privileged.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';

const T = 1_600_000_000;

describeRoot('tree diff (Docker, containerd)', () => {
  let base: string;
  let lower: string;
  let upper: string;
  beforeEach(async () => {
    base = makeBase('ovl-test-docker-treediff-');
    lower = writeTree(join(base, 'lower'), {
      etc: { a: 'a\n', b: 'b\n', same: 'same\n', touched: 't\n' },
      srv: { repl: { old: 'o\n' } },
      usr: { share: { doc: { x: 'x\n' } }, lib: { keep: 'k\n' } },
      bin: { tool: 'tool\n' },
    });
    upper = writeTree(join(base, 'upper'), { etc: { a: 'a changed\n', same: 'same\n', touched: 't\n' }, srv: {}, usr: { share: { doc: { new: 'n\n' } }, lib: {} } });
    // same size, same second, the lower's nanoseconds zero: equal by sameFsTime
    utimesSync(join(lower, 'etc', 'same'), T, T);
    utimesSync(join(upper, 'etc', 'same'), T + 0.5, T + 0.5);
    // same size, another second: changed
    utimesSync(join(lower, 'etc', 'touched'), T, T);
    utimesSync(join(upper, 'etc', 'touched'), T + 1, T + 1);
    await createWhiteout(join(upper, 'etc', 'b'));
    mkdirSync(join(upper, 'srv', 'repl'));
    writeFileSync(join(upper, 'srv', 'repl', 'new'), 'new\n');
    await setOpaque(join(upper, 'srv', 'repl'));
    // a dir in upper with nothing changed below and the same mode: not a change
    chmodSync(join(upper, 'usr', 'lib'), 0o755);
    chmodSync(join(lower, 'usr', 'lib'), 0o755);
    // a mode change on a dir is one
    mkdirSync(join(upper, 'bin'), { mode: 0o700 });
    chmodSync(join(upper, 'bin'), 0o700);
  });
  afterEach(() => removeBase(base));

  it('A below a new name, C for a changed entry and every dir above a change, D for an old name only, opaque = C + old children D', async () => {
    const view = await openOverlay({ lower: [lower], upper });
    expect(await treeDiffChanges(view)).toEqual([
      { path: '/bin', kind: 'C' },
      { path: '/etc', kind: 'C' },
      { path: '/etc/a', kind: 'C' },
      { path: '/etc/b', kind: 'D' },
      { path: '/etc/touched', kind: 'C' },
      { path: '/srv', kind: 'C' },
      { path: '/srv/repl', kind: 'C' },
      { path: '/srv/repl/new', kind: 'A' },
      { path: '/srv/repl/old', kind: 'D' },
      { path: '/usr', kind: 'C' },
      { path: '/usr/share', kind: 'C' },
      { path: '/usr/share/doc', kind: 'C' },
      { path: '/usr/share/doc/new', kind: 'A' },
    ]);
  });

  it('no lower layers: everything in upper is added', async () => {
    const view = await openOverlay({ lower: [], upper: writeTree(join(base, 'only'), { d: { f: 'f\n' } }) });
    expect(await treeDiffChanges(view)).toEqual([{ path: '/d', kind: 'A' }, { path: '/d/f', kind: 'A' }]);
  });
});
