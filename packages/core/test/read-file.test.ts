/**
 * Reading a layer file that another process swaps between the view's scan and the read
 * (issue 14: root-safe reads of untrusted layers). A file replaced by a symlink to a host
 * file, a dir on its path replaced by a symlink out of the layer, a file replaced by a FIFO
 * or by another file: view.readFile says ERR_OVL_CHANGED_WHILE_READING, reads nothing
 * outside the layer, and never blocks. Offline views on plain dirs: runs anywhere.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openOverlay, OvlError, type OverlayView } from '../src/index.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';

const SECRET = 'host secret: must never be read through a layer\n';
let base: string;
let upper: string;
let view: OverlayView;
beforeEach(async () => {
  base = makeBase('ovl-read-');
  writeTree(join(base, 'outside'), { 'secret.txt': SECRET, f: SECRET });
  upper = writeTree(join(base, 'upper'), { dir: { f: 'inside the layer\n' }, 'top.txt': 'top\n', link: {} });
  symlinkSync('dir/f', join(upper, 'ln'));
  view = await openOverlay({ lower: [writeTree(join(base, 'lower'), {})], upper });
});
afterEach(() => removeBase(base));

async function refusal(p: Promise<unknown>): Promise<OvlError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OvlError);
  return e as OvlError;
}

describe('view.readFile', () => {
  it('reads a file, a range of it, and a symlink target from the layer', async () => {
    const f = (await view.stat('/dir/f'))!;
    expect((await view.readFile(f)).toString()).toBe('inside the layer\n');
    expect((await view.readFile(f, { offset: 7, length: 3 })).toString()).toBe('the');
    expect((await view.readFile((await view.stat('/ln'))!)).toString()).toBe('dir/f');
    expect(await refusal(view.readFile((await view.stat('/dir'))!))).toMatchObject({ code: 'ERR_OVL_NOT_A_FILE' });
  });

  it('a file swapped for a symlink to a host file: refused, nothing outside read', async () => {
    const f = (await view.stat('/dir/f'))!;
    unlinkSync(join(upper, 'dir', 'f'));
    symlinkSync(join(base, 'outside', 'secret.txt'), join(upper, 'dir', 'f'));
    const e = await refusal(view.readFile(f));
    expect(e).toMatchObject({ code: 'ERR_OVL_CHANGED_WHILE_READING', path: '/dir/f' });
    expect(e.message).not.toContain('host secret');
  });

  it('a dir on the path swapped for a symlink out of the layer (to / or elsewhere): refused', async () => {
    const f = (await view.stat('/dir/f'))!;
    renameSync(join(upper, 'dir'), join(upper, 'dir.old'));
    symlinkSync(join(base, 'outside'), join(upper, 'dir'));
    expect(await refusal(view.readFile(f))).toMatchObject({ code: 'ERR_OVL_CHANGED_WHILE_READING' });
    rmSync(join(upper, 'dir'));
    symlinkSync('/', join(upper, 'dir'));
    expect(await refusal(view.readFile(f))).toMatchObject({ code: 'ERR_OVL_CHANGED_WHILE_READING' });
  });

  it('a file swapped for a FIFO: refused at once, nothing blocks', async () => {
    const f = (await view.stat('/top.txt'))!;
    unlinkSync(join(upper, 'top.txt'));
    expect(spawnSync('mkfifo', [join(upper, 'top.txt')]).status).toBe(0);
    // No time limit of its own (a loaded machine can take seconds): a blocked open would never
    // return, and the test's timeout says so.
    const e = await refusal(view.readFile(f));
    expect(e).toMatchObject({ code: 'ERR_OVL_CHANGED_WHILE_READING' });
    expect(e.message).toMatch(/fifo/);
  });

  it('a file replaced by another file of the same name: refused (not the file the view saw)', async () => {
    const f = (await view.stat('/top.txt'))!;
    writeFileSync(join(base, 'other'), 'another file\n');
    renameSync(join(base, 'other'), join(upper, 'top.txt'));
    expect(await refusal(view.readFile(f))).toMatchObject({ code: 'ERR_OVL_CHANGED_WHILE_READING' });
  });

  it('a symlink swapped for a file, or gone: refused', async () => {
    const ln = (await view.stat('/ln'))!;
    unlinkSync(join(upper, 'ln'));
    expect(await refusal(view.readFile(ln))).toMatchObject({ code: 'ERR_OVL_CHANGED_WHILE_READING' });
    mkdirSync(join(upper, 'ln'));
    expect(await refusal(view.readFile(ln))).toMatchObject({ code: 'ERR_OVL_CHANGED_WHILE_READING' });
  });
});
