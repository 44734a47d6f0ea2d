// An image in the app (ovl-tui --image REF) against fake services: the layer list (index, size,
// the command that made each), a layer opened as what it added, changed and deleted, with the
// diff the tree already has, and the way back.
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenedServices } from '../../src/service/opened.js';
import type { Change, ImageLayers, Subject } from '../../src/service/types.js';
import { InputGate } from '../../src/terminal/input-gate.js';
import { Navigator } from '../../src/ui/Navigator.js';
import { hex } from '../support/fake-catalog.js';
import { entry, FakeService } from '../support/fake-service.js';
import { KEYS, renderUi, type Rendered } from '../support/render.js';

const SIZE = { columns: 130, rows: 32 };
let ui: Rendered | undefined;
afterEach(() => ui?.unmount());

const SUBJECT: Subject = { kind: 'image', engine: 'podman', name: 'localhost/app:1', id: hex('f6'), image: '', state: '2 layers, 3.0K' };
const LONG_RUN = `/bin/sh -c apk add --no-cache ${'package '.repeat(30)}&& rm -rf /var/cache/apk`;

/** Layer 0 (base): /bin/sh, /etc/hosts, /etc/old. Layer 1: /etc/motd added, /etc/hosts changed, /etc/old deleted. */
function imageService(): { image: FakeService; layer1: FakeService; opened: number[] } {
  const opened: number[] = [];
  const layer1 = new FakeService();
  layer1.header = { target: 'localhost/app:1  layer 1 of 1', mode: 'image', layers: [{ id: 'upper', path: '/s/l1' }, { id: 0, path: '/s/l0' }], options: {}, writable: false, canRevert: false, notes: [], subject: SUBJECT };
  layer1.add(entry('/bin', { type: 'dir' })).add(entry('/bin/sh'), 'ELF');
  layer1.add(entry('/etc', { type: 'dir', layer: 'upper', shadows: [0] }));
  layer1.add(entry('/etc/motd', { layer: 'upper' }), 'welcome\n');
  layer1.lower.set('/etc/hosts', { entry: entry('/etc/hosts', { layer: 0 }), content: Buffer.from('127.0.0.1 localhost\n') });
  layer1.add(entry('/etc/hosts', { layer: 'upper', copiedUp: true, shadows: [0] }), '127.0.0.1 localhost\n10.0.0.2 api\n');
  layer1.add(entry('/etc/old', { type: 'whiteout', layer: 'upper', shadows: [0] }));

  const image = new FakeService();
  image.header = { target: 'localhost/app:1: all 2 layers merged', mode: 'image', layers: [{ id: 0, path: '/s/l1' }, { id: 1, path: '/s/l0' }], options: {}, writable: false, canRevert: false, notes: [], subject: SUBJECT };
  image.add(entry('/bin', { type: 'dir' })).add(entry('/etc', { type: 'dir' })).add(entry('/etc/motd'), 'welcome\n');
  const changes: Change[][] = [[{ path: '/bin', kind: 'A' }, { path: '/bin/sh', kind: 'A' }], [{ path: '/etc/motd', kind: 'A' }, { path: '/etc/hosts', kind: 'C' }, { path: '/etc/old', kind: 'D' }]];
  const layers: ImageLayers = {
    rows: [
      { index: 0, id: hex('c3'), size: 1024, createdBy: '/bin/sh -c #(nop) ADD file:4f3a in / ' },
      { index: 1, id: hex('d4'), size: 2048, createdBy: LONG_RUN },
    ],
    open: async (i) => {
      opened.push(i);
      return layer1;
    },
    changes: async (i) => changes[i]!,
  };
  image.image = layers;
  return { image, layer1, opened };
}

function start(service: FakeService) {
  const schedule = (_path: string, load: () => void) => {
    load();
    return () => {};
  };
  ui = renderUi(<Navigator start={{ service }} opened={new OpenedServices()} openEditor={() => ({ status: 0 })} gate={new InputGate()} size={SIZE} schedulePreview={schedule} />);
  return ui;
}

const line = (frame: string, re: RegExp) => frame.split('\n').find((l) => re.test(l)) ?? '';

describe('an image: the layer list', () => {
  it('lists the layers base first, with index, size and the command cut to fit, under the image header', async () => {
    const { image } = imageService();
    const r = start(image);
    const f = await r.waitFor('layers of localhost/app:1');
    expect(f).toContain('podman image localhost/app:1  f6f6f6f6f6f6  2 layers, 3.0K');
    expect(line(f, /^\s*#\s+SIZE/)).toMatch(/#\s+SIZE\s+CREATED BY/);
    expect(line(f, /all\s+3\.0K/)).toMatch(/^> all\s+3\.0K\s+every layer merged/);
    expect(line(f, /^\s+0\s/)).toMatch(/^\s+0\s+1\.0K\s+ADD file:4f3a in \/\s*(│|$|\s)/);
    const run = line(f, /^\s+1\s/);
    expect(run).toMatch(/^\s+1\s+2\.0K\s+RUN apk add --no-cache package/);
    expect(run.length).toBeLessThanOrEqual(SIZE.columns);
  });

  it('sums up the selected layer in the side pane: what it changed, and its whole command', async () => {
    const { image } = imageService();
    const r = start(image);
    await r.waitFor('layers of');
    r.press('j', 'j');
    const f = await r.waitFor('1 added, 1 changed, 1 deleted');
    expect(f).toContain('layer 1');
    expect(f).toContain('&& rm -rf /var/cache/apk'); // the end of the long command, wrapped in the pane
    r.press('k');
    await r.waitFor('2 added, 0 changed, 0 deleted');
  });

  it('opens a layer as what it added, changed and deleted; d diffs a changed file; Esc goes back to the list', async () => {
    const { image, layer1, opened } = imageService();
    const r = start(image);
    await r.waitFor('layers of');
    r.press('G', KEYS.enter);
    let f = await r.waitFor(/new\s+motd/);
    expect(opened).toEqual([1]);
    expect(f).toContain('localhost/app:1  layer 1 of 1');
    expect(f).toMatch(/cp-up\s+hosts/);
    expect(f).toMatch(/del\s+old/);
    expect(f).not.toMatch(/\bsh\b.*ELF|L0\s+▸ bin/); // unchanged: hidden (changes only)
    expect(f).toContain('image layers: nothing changes them');
    r.press('/', 'hosts', KEYS.enter, 'd');
    f = await r.waitFor('+ 10.0.0.2 api');
    r.press('c'); // everything up to this layer
    await r.waitFor(/L0\s+▸ bin/);
    r.press(KEYS.esc);
    f = await r.waitFor('layers of localhost/app:1');
    expect(line(f, /^>/)).toMatch(/^>\s+1\s+2\.0K/); // the cursor where it was
    await new Promise((resolve) => setImmediate(resolve));
    expect(layer1.closed).toBe(true);
  });

  it('opens the whole image merged from the first row, and back', async () => {
    const { image } = imageService();
    const r = start(image);
    await r.waitFor('layers of');
    r.press(KEYS.enter);
    await r.waitFor(/L\d\s+▸ etc/);
    r.press(KEYS.backspace);
    await r.waitFor('layers of');
    expect(image.closed).toBe(false); // the list's own service stays open
  });
});
