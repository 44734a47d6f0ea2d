// What --list prints, the picker's rows, a layer's command cut for a row, and the engine
// settings the environment gives. All pure.
import { describe, expect, it } from 'vitest';
import { listingJson, listingTable } from '../../src/cli/list-output.js';
import { cut, cutPathStart, layoutColumns, wrapLines } from '../../src/lib/columns.js';
import { shortCreatedBy } from '../../src/lib/created-by.js';
import { EngineEnvError, engineOptionsFromEnv } from '../../src/service/engine-options.js';
import { pickerRows } from '../../src/state/picker-rows.js';
import { container, hex, image } from '../support/fake-catalog.js';

const listing = {
  overlays: [],
  containers: [container(), container({ engine: 'docker', id: hex('e5'), name: 'db', image: 'postgres:16', state: 'exited', mounted: false })],
  images: [image(), image({ id: hex('99'), names: [] })],
  problems: [],
};

describe('--list', () => {
  it('prints a table: kind, engine, name, 12-character id, image, state', () => {
    const lines = listingTable(listing).split('\n');
    expect(lines[0]).toMatch(/^KIND\s+ENGINE\s+NAME\s+ID\s+IMAGE\s+STATE$/);
    expect(lines[1]).toMatch(/^container\s+podman\s+web\s+a1a1a1a1a1a1\s+localhost\/base:latest\s+running, mounted$/);
    expect(lines[2]).toMatch(/^container\s+docker\s+db\s+e5e5e5e5e5e5\s+postgres:16\s+exited$/);
    expect(lines[3]).toMatch(/^image\s+podman\s+localhost\/base:latest\s+b2b2b2b2b2b2\s+-\s+2 layers, 3\.0K$/);
    expect(lines[4]).toMatch(/^image\s+podman\s+999999999999\s+999999999999\s+-\s+2 layers/); // no name: its short id
    // Columns line up: every ID starts where the heading does.
    const at = lines[0]!.indexOf('ID');
    for (const l of lines.slice(1)) expect(l.slice(at, at + 12)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('says so when there is nothing', () => {
    expect(listingTable({ containers: [], images: [] })).toBe('No containers or images found.');
  });

  it('--json: one object per container and image, with the layer dirs', () => {
    const out = listingJson(listing);
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({ kind: 'container', engine: 'podman', id: hex('a1'), name: 'web', image: 'localhost/base:latest', state: 'running', mounted: true, lower: ['/s/overlay/l1/diff'], upper: '/s/overlay/c1/diff', work: '/s/overlay/c1/work', merged: '/s/overlay/c1/merged' });
    expect(out[2]).toMatchObject({ kind: 'image', engine: 'podman', name: 'localhost/base:latest', names: ['localhost/base:latest'], size: 3072 });
    expect((out[2] as { layers: unknown[] }).layers).toEqual([
      { index: 0, id: hex('c3'), dir: '/s/overlay/c3/diff', size: 1024 },
      { index: 1, id: hex('d4'), dir: '/s/overlay/d4/diff', size: 2048, createdBy: '/bin/sh -c #(nop) ADD file:abc in /etc/motd' },
    ]);
  });
});

describe('the picker rows', () => {
  it('lists a container rootfs mount as the container, other overlay mounts as overlays; each opens by id and engine', () => {
    const overlays = [
      { mountId: 7, target: '/s/overlay/c1/merged', lower: ['/x'], options: {}, readonly: false },
      { mountId: 8, target: `/very/long/${'deep/'.repeat(10)}merged`, lower: ['/a', '/b'], upper: '/u', options: {}, readonly: true },
    ] as never[];
    const { columns, rows } = pickerRows({ ...listing, overlays });
    expect(columns).toMatch(/^KIND\s+ENGINE\s+NAME\s+ID\s+IMAGE \/ LAYERS\s+STATE$/);
    expect(rows.map((r) => r.request)).toEqual([
      { kind: 'attach', merged: `/very/long/${'deep/'.repeat(10)}merged` },
      { kind: 'container', ref: hex('a1'), engine: 'podman' },
      { kind: 'container', ref: hex('e5'), engine: 'docker' },
      { kind: 'image', ref: hex('b2'), engine: 'podman' },
      { kind: 'image', ref: hex('99'), engine: 'podman' },
    ]);
    expect(rows[0]!.text).toMatch(/^overlay\s+-\s+…\S*deep\/merged\s+mount 8\s+2 lower \+ upper\s+mounted, ro$/);
    // Fitted to 100 columns, the state column is still there.
    for (const r of pickerRows({ ...listing, overlays }, 100).rows) expect(r.text.length).toBeLessThanOrEqual(100);
    expect(pickerRows({ ...listing, overlays }, 100).rows[1]!.text).toMatch(/running, mounted$/);
  });
});

describe('columns', () => {
  it('pads to the widest cell up to a cap, cuts with …, never pads the last column', () => {
    expect(layoutColumns([['a', 'bb', 'c'], ['aaa', 'b', 'cc']], [10, 10, 10])).toEqual(['a    bb  c', 'aaa  b   cc']);
    expect(layoutColumns([['abcdef', 'x']], [4, 4])).toEqual(['abc…  x']);
    expect(cut('abc', 3)).toBe('abc');
    // Fitted: the shrinkable column gives way (to its minimum), the last column stays whole.
    expect(layoutColumns([['name-that-is-long', 'x', 'tail']], [30, 5, 10], { width: 16, shrink: [0], min: 6 })).toEqual(['name-t…  x  tail']);
    expect(layoutColumns([['name-that-is-long', 'x', 'tail']], [30, 5, 10], { width: 10, shrink: [0], min: 6 })).toEqual(['name-…  x  tail']);
    expect(cutPathStart('/a/b/c/name', 6)).toBe('…/name');
  });

  it('wraps into at most max lines, marking the cut', () => {
    expect(wrapLines('abcdefgh', 3, 5)).toEqual(['abc', 'def', 'gh']);
    expect(wrapLines('abcdefghij', 3, 2)).toEqual(['abc', 'de…']);
  });
});

describe('shortCreatedBy', () => {
  it('drops the shell wrappers and folds whitespace', () => {
    expect(shortCreatedBy('/bin/sh -c #(nop)  CMD ["sh"]')).toBe('CMD ["sh"]');
    expect(shortCreatedBy('/bin/sh -c apk add \\\n\t curl')).toBe('RUN apk add \\ curl');
    expect(shortCreatedBy('COPY . /app # buildkit')).toBe('COPY . /app # buildkit');
    expect(shortCreatedBy(undefined)).toBe('(command not recorded)');
    expect(shortCreatedBy('  ')).toBe('(command not recorded)');
  });
});

describe('engineOptionsFromEnv', () => {
  it('reads every engine from its default storage unless told', () => {
    expect(engineOptionsFromEnv({})).toEqual({ engines: ['podman', 'docker', 'containerd'] });
  });

  it('takes roots whole (any path) and a list of engines', () => {
    expect(engineOptionsFromEnv({ OVL_TUI_ENGINES: 'podman, docker', OVL_TUI_PODMAN_ROOT: '/tmp/a,b:c', OVL_TUI_DOCKER_ROOT: '' })).toEqual({ engines: ['podman', 'docker'], roots: { podman: '/tmp/a,b:c' } });
  });

  it('refuses an engine it does not know, naming it', () => {
    expect(() => engineOptionsFromEnv({ OVL_TUI_ENGINES: 'podman,lxc' })).toThrow(EngineEnvError);
    expect(() => engineOptionsFromEnv({ OVL_TUI_ENGINES: 'lxc' })).toThrow(/unknown engine 'lxc'/);
  });
});
