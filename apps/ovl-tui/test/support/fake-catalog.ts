/**
 * An in-memory Catalog for the picker's tests: a listing the test sets (or a failure), and
 * open() answering each request with a FakeService the test prepared — or refusing as core
 * does, with a coded error and a hint.
 */
import type { Catalog, CatalogListing, ContainerInfo, ImageInfo, OverlayService, SessionRequest } from '../../src/service/types.js';
import { entry, FakeService } from './fake-service.js';

export const hex = (c: string) => c.repeat(64).slice(0, 64);

export function container(over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    engine: 'podman', id: hex('a1'), name: 'web', image: 'localhost/base:latest', state: 'running', mounted: true,
    lower: ['/s/overlay/l1/diff'], upper: '/s/overlay/c1/diff', work: '/s/overlay/c1/work', merged: '/s/overlay/c1/merged', storage: '/s', ...over,
  };
}

export function image(over: Partial<ImageInfo> = {}): ImageInfo {
  return {
    engine: 'podman', id: hex('b2'), names: ['localhost/base:latest'], storage: '/s', size: 3072,
    layers: [
      { id: hex('c3'), dir: '/s/overlay/c3/diff', size: 1024 },
      { id: hex('d4'), dir: '/s/overlay/d4/diff', size: 2048, createdBy: '/bin/sh -c #(nop) ADD file:abc in /etc/motd' },
    ],
    ...over,
  };
}

export class FakeCatalog implements Catalog {
  listing: CatalogListing = { overlays: [], containers: [], images: [], problems: [] };
  /** When set, list() rejects with it. */
  failure: Error | undefined;
  readonly opened: SessionRequest[] = [];
  /** The service open() gives for a request, keyed 'attach:/m', 'container:<id>', 'image:<id>'. */
  readonly services = new Map<string, OverlayService>();
  lists = 0;

  async list(): Promise<CatalogListing> {
    this.lists++;
    if (this.failure) throw this.failure;
    return this.listing;
  }

  async open(request: SessionRequest): Promise<OverlayService> {
    this.opened.push(request);
    const key = request.kind === 'attach' ? `attach:${request.merged}` : request.kind === 'container' || request.kind === 'image' ? `${request.kind}:${request.ref}` : request.kind;
    const s = this.services.get(key);
    if (!s) throw Object.assign(new Error(`ovl: no ${request.kind} named '${key}'`), { code: 'ERR_OVL_CONTAINER_NOT_FOUND', hint: 'Names, ids and unique id prefixes work.' });
    return s;
  }
}

/** A container's view: one file written in upper, with the header a container gets. */
export function containerService(c: ContainerInfo = container()): FakeService {
  const f = new FakeService();
  f.header = {
    target: c.merged!, mode: 'container', layers: [{ id: 'upper', path: c.upper }, { id: 0, path: c.lower[0]! }], options: { rw: true }, writable: true, canRevert: false, notes: [],
    subject: { kind: 'container', engine: c.engine, name: c.name, id: c.id, image: c.image, state: `${c.state}, mounted` },
  };
  f.addLower('/etc/os-release', 'ID=base\n');
  f.add(entry('/written-by-web.txt', { layer: 'upper' }), 'hello from web\n');
  return f;
}
