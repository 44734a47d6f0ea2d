// The picker (ovl-tui with no argument) against a fake catalog: what it lists, the filter,
// Enter and the way back, the empty state, and what it says when something cannot be read.
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenedServices } from '../../src/service/opened.js';
import { InputGate } from '../../src/terminal/input-gate.js';
import { Navigator } from '../../src/ui/Navigator.js';
import { container, containerService, FakeCatalog, hex, image } from '../support/fake-catalog.js';
import { KEYS, renderUi, type Rendered } from '../support/render.js';

const SIZE = { columns: 120, rows: 30 };
let ui: Rendered | undefined;
afterEach(() => ui?.unmount());

function start(catalog: FakeCatalog, opened = new OpenedServices()) {
  ui = renderUi(<Navigator start={{ catalog }} opened={opened} openEditor={() => ({ status: 0 })} gate={new InputGate()} size={SIZE} />);
  return ui;
}

/** The picker row naming `text` (its line), or ''. */
const rowOf = (frame: string, text: string) => frame.split('\n').find((l) => /^[> ] (overlay|container|image) /.test(l) && l.includes(text)) ?? '';

function machine(): FakeCatalog {
  const c = new FakeCatalog();
  c.listing = {
    overlays: [
      { mountId: 41, target: '/srv/build/merged', lower: ['/srv/build/l0', '/srv/build/l1'], upper: '/srv/build/u', work: '/srv/build/w', options: {}, readonly: false } as never,
      // The container's own rootfs mount: listed as the container, not twice.
      { mountId: 42, target: '/s/overlay/c1/merged', lower: ['/s/overlay/l1/diff'], upper: '/s/overlay/c1/diff', options: {}, readonly: false } as never,
    ],
    containers: [container(), container({ engine: 'docker', id: hex('e5'), name: 'db', image: 'postgres:16', state: 'exited', mounted: false })],
    images: [image()],
    problems: [],
  };
  return c;
}

describe('the picker', () => {
  it('lists overlay mounts, containers and images with engine, name, short id, image and state', async () => {
    const r = start(machine());
    const f = await r.waitFor('postgres:16');
    expect(rowOf(f, '/srv/build/merged')).toMatch(/overlay\s+-\s+\/srv\/build\/merged\s+mount 41\s+2 lower \+ upper\s+mounted/);
    expect(rowOf(f, ' web ')).toMatch(/container\s+podman\s+web\s+a1a1a1a1a1a1\s+localhost\/base:latest\s+running, mounted/);
    expect(rowOf(f, ' db ')).toMatch(/container\s+docker\s+db\s+e5e5e5e5e5e5\s+postgres:16\s+exited/);
    expect(rowOf(f, 'b2b2b2b2b2b2')).toMatch(/image\s+podman\s+localhost\/base:latest\s+b2b2b2b2b2b2\s+2 layers, 3\.0K/);
    expect(f).not.toContain('/s/overlay/c1/merged'); // the container's mount is the container's row
    expect(f).toContain('(4)');
    expect(rowOf(f, '/srv/build/merged').startsWith('>')).toBe(true);
  });

  it('filters as / is typed, keeps the filter on Enter, clears it on Esc', async () => {
    const r = start(machine());
    await r.waitFor('postgres:16');
    r.press('/', 'd', 'o', 'c');
    let f = await r.waitFor("1 of 4 match 'doc'");
    expect(rowOf(f, ' db ')).toMatch(/^>/);
    expect(f).not.toContain('localhost/base:latest');
    r.press(KEYS.backspace, KEYS.backspace, KEYS.backspace, 'i', 'm', 'a', 'g', 'e', ' ', 'p', 'o', 'd');
    f = await r.waitFor("1 of 4 match 'image pod'");
    expect(rowOf(f, 'b2b2b2b2b2b2')).toMatch(/^>/);
    r.press(KEYS.enter);
    await r.waitFor((fr) => fr.includes("1 of 4 match 'image pod'") && fr.includes('Enter open'));
    r.press('/');
    await r.waitFor((fr) => fr.includes('(4)') && fr.includes('/█')); // / starts afresh
    r.press(KEYS.esc);
    // Esc in the prompt goes back to the filter the prompt started from (kept on Enter before).
    await r.waitFor((fr) => fr.includes("match 'image pod'") && !fr.includes('█'));
    r.press('f', KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.enter); // f edits the filter
    await r.waitFor("1 of 4 match 'image'");
  });

  it('opens the selected container with Enter, shows its header, and comes back to the same row with Esc', async () => {
    const catalog = machine();
    const web = containerService();
    catalog.services.set(`container:${hex('a1')}`, web);
    const opened = new OpenedServices();
    const r = start(catalog, opened);
    await r.waitFor('postgres:16');
    r.press('j');
    await r.waitFor((f) => rowOf(f, ' web ').startsWith('>'));
    r.press(KEYS.enter);
    const f = await r.waitFor('written-by-web.txt');
    expect(catalog.opened).toEqual([{ kind: 'container', ref: hex('a1'), engine: 'podman' }]);
    expect(f).toContain('podman container web  a1a1a1a1a1a1  image localhost/base:latest  running, mounted');
    expect(f).not.toContain(hex('a1').slice(0, 13));
    r.press(KEYS.esc);
    const back = await r.waitFor('mounted overlays, containers and images');
    expect(rowOf(back, ' web ').startsWith('>')).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(web.closed).toBe(true); // its watch stopped when its screen was left
  });

  it('says why a row could not be opened, and stays on the picker', async () => {
    const r = start(machine()); // no service prepared: open() refuses as core does
    await r.waitFor('postgres:16');
    r.press('G', KEYS.enter);
    const f = await r.waitFor('no image named');
    // The whole sentence and its hint, on lines of their own (wrapped, never cut).
    expect(f.replace(/\n/g, '')).toContain(`ovl: no image named 'image:${hex('b2')}' (Names, ids and unique id prefixes work.)`);
    expect(f).toContain('mounted overlays, containers and images');
  });

  it('says what to do when there is nothing to open', async () => {
    const r = start(new FakeCatalog());
    const f = await r.waitFor('Nothing to open');
    expect(f).toContain('ovl-tui --demo');
    expect(f).toContain('(0)');
    r.press(KEYS.enter); // nothing selected: nothing happens
    await r.waitFor('Nothing to open');
  });

  it('lists what it could read and says, in one line each, what it could not', async () => {
    const catalog = machine();
    catalog.listing.problems = [
      { source: 'docker containers', error: Object.assign(new Error("ovl: cannot read Docker's storage '/var/lib/docker'"), { code: 'ERR_OVL_STORAGE_UNREADABLE', hint: 'Run as root.' }) },
    ];
    const r = start(catalog);
    const f = await r.waitFor('postgres:16');
    expect(f).toContain("docker containers: ovl: cannot read Docker's storage '/var/lib/docker' (Run as root.)");
  });

  it('says so when nothing could be listed at all', async () => {
    const catalog = new FakeCatalog();
    catalog.failure = Object.assign(new Error('ovl: /proc/self/mountinfo cannot be read'), { code: 'EACCES' });
    const f = await start(catalog).waitFor('could not list');
    expect(f).toContain('could not list: ovl: /proc/self/mountinfo cannot be read');
  });

  it('reads the list again with Ctrl-r', async () => {
    const catalog = machine();
    const r = start(catalog);
    await r.waitFor('postgres:16');
    catalog.listing = { ...catalog.listing, containers: [] };
    r.press('\x12');
    // Without its containers, the container's rootfs mount is an overlay row of its own.
    const f = await r.waitFor((fr) => !fr.includes('postgres:16') && fr.includes('(3)'));
    expect(rowOf(f, '/s/overlay/c1/merged')).toMatch(/overlay\s+-\s+\/s\/overlay\/c1\/merged\s+mount 42/);
    expect(catalog.lists).toBe(2);
  });
});
