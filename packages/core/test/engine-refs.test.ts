/**
 * Which container or image a ref names (engines/refs.ts), on records written as data: the
 * rules `docker`/`podman` apply (full id, name, unique id prefix), across engines.
 */
import { describe, expect, it } from 'vitest';
import { closestNames, pickByRef, type Named } from '../src/engines/refs.js';

const hex = (c: string): string => c.repeat(64);
const containers: Named[] = [
  { engine: 'podman', id: `ab12${hex('0').slice(4)}`, names: ['web'] },
  { engine: 'podman', id: `ab34${hex('1').slice(4)}`, names: ['worker'] },
  { engine: 'docker', id: `cd56${hex('2').slice(4)}`, names: ['web'] },
  { engine: 'docker', id: `ef78${hex('3').slice(4)}`, names: ['db'] },
];

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('pickByRef', () => {
  it('finds by full id, by name, by unique id prefix', () => {
    expect(pickByRef(containers, containers[3]!.id, 'container').names).toEqual(['db']);
    expect(pickByRef(containers, 'worker', 'container').id).toBe(containers[1]!.id);
    expect(pickByRef(containers, 'ef7', 'container').names).toEqual(['db']);
    expect(pickByRef(containers, `sha256:${containers[3]!.id}`, 'container').names).toEqual(['db']);
  });

  it('a name two engines share is ambiguous until the engine is chosen', () => {
    expect(codeOf(() => pickByRef(containers, 'web', 'container'))).toBe('ERR_OVL_CONTAINER_AMBIGUOUS');
    expect(pickByRef(containers, 'web', 'container', 'docker').id).toBe(containers[2]!.id);
  });

  it('an ambiguous prefix lists the candidates', () => {
    try {
      pickByRef(containers, 'ab', 'container');
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('ERR_OVL_CONTAINER_AMBIGUOUS');
      expect((e as Error).message).toContain('ab1200000000 (web)');
      expect((e as Error).message).toContain('ab3411111111 (worker)');
    }
  });

  it('an exact name wins over an id prefix that happens to match', () => {
    const items: Named[] = [...containers, { engine: 'podman', id: hex('9'), names: ['ab'] }];
    expect(pickByRef(items, 'ab', 'container').id).toBe(hex('9'));
  });

  it('an unknown ref names the ref and the closest names', () => {
    try {
      pickByRef(containers, 'wbe', 'container');
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe('ERR_OVL_CONTAINER_NOT_FOUND');
      expect((e as Error).message).toMatch(/no container named 'wbe'; closest: web, db/);
    }
  });

  it('an empty list says no containers were found at all', () => {
    try {
      pickByRef([], 'web', 'container');
      expect.unreachable();
    } catch (e) {
      expect((e as { hint: string }).hint).toMatch(/No containers were found/);
    }
  });

  it('a one-letter hex ref is an id prefix; a non-hex one never is', () => {
    expect(codeOf(() => pickByRef(containers, 'e', 'container'))).toBe(undefined);
    expect(codeOf(() => pickByRef(containers, 'x', 'container'))).toBe('ERR_OVL_CONTAINER_NOT_FOUND');
  });

  it('refuses an empty ref as an argument error', () => {
    expect(() => pickByRef(containers, '', 'container')).toThrow(TypeError);
  });
});

describe('image names', () => {
  const images: Named[] = [
    { engine: 'podman', id: hex('a'), names: ['docker.io/library/busybox:latest'] },
    { engine: 'podman', id: hex('b'), names: ['localhost/app:v2'] },
    { engine: 'docker', id: hex('c'), names: ['registry.example.com:5000/team/tool:1.0'] },
  ];

  it('match with or without registry, library/ and :latest', () => {
    for (const ref of ['busybox', 'busybox:latest', 'library/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest']) {
      expect(pickByRef(images, ref, 'image').id, ref).toBe(hex('a'));
    }
    expect(pickByRef(images, 'app:v2', 'image').id).toBe(hex('b'));
    expect(pickByRef(images, 'team/tool:1.0', 'image').id).toBe(hex('c'));
    expect(codeOf(() => pickByRef(images, 'app', 'image'))).toBe('ERR_OVL_IMAGE_NOT_FOUND');
  });

  it('closest names ignore the registry', () => {
    expect(closestNames(images, 'busybx', 'image')).toContain('docker.io/library/busybox:latest');
  });
});
