// The header of a container's and an image's view: engine, name, 12-character id, image, state.
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { HeaderInfo } from '../../src/service/types.js';
import { Header, headerHeight } from '../../src/ui/Header.js';
import { hex } from '../support/fake-catalog.js';
import { renderUi, type Rendered } from '../support/render.js';

let ui: Rendered | undefined;
afterEach(() => ui?.unmount());

const base: HeaderInfo = { target: '/var/lib/containers/storage/overlay/c1/merged', mode: 'container', layers: [{ id: 'upper', path: '/s/c1/diff' }, { id: 0, path: '/s/l1/diff' }], options: { rw: true }, writable: true, canRevert: false, notes: [] };

describe('Header', () => {
  it('names a container: engine, name, short id, image and state, above its layers', async () => {
    const info: HeaderInfo = { ...base, subject: { kind: 'container', engine: 'podman', name: 'web', id: hex('3f'), image: 'docker.io/library/alpine:latest', state: 'running, mounted' } };
    ui = renderUi(<Header info={info} width={120} />);
    const lines = (await ui.waitFor('web')).split('\n');
    expect(lines[0]).toContain('ovl-tui  /var/lib/containers/storage/overlay/c1/merged  [container]');
    expect(lines[1]).toBe('  podman container web  3f3f3f3f3f3f  image docker.io/library/alpine:latest  running, mounted');
    expect(lines[2]).toMatch(/^\s+upper\s+\/s\/c1\/diff/);
    expect(headerHeight(info)).toBe(headerHeight(base) + 1);
    expect(lines).toHaveLength(headerHeight(info));
  });

  it('names an image with its layer count and size, and says it is read-only', async () => {
    const info: HeaderInfo = { ...base, target: 'localhost/app:1: all 3 layers merged (read-only)', mode: 'image', writable: false, layers: [{ id: 0, path: '/s/l3' }], options: {}, subject: { kind: 'image', engine: 'docker', name: 'localhost/app:1', id: `sha256:${hex('ab')}`, image: 'app:latest', state: '3 layers, 12M' } };
    ui = renderUi(<Header info={info} width={120} />);
    const f = await ui.waitFor('localhost/app:1');
    expect(f).toContain('[image, read-only]');
    expect(f).toContain('  docker image localhost/app:1  abababababab  also app:latest  3 layers, 12M');
  });

  it('has no subject line for a plain overlay', async () => {
    ui = renderUi(<Header info={{ ...base, mode: 'attached' }} width={120} />);
    const f = await ui.waitFor('[attached]');
    expect(f.split('\n')[1]).toMatch(/^\s+upper\s/);
  });
});
