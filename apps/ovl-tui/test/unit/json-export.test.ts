// --json: the merged tree with provenance and the changes, from any service.
import { describe, expect, it } from 'vitest';
import { exportJson } from '../../src/cli/json-export.js';
import { articleService, entry } from '../support/fake-service.js';

describe('exportJson', () => {
  it('lists every entry with its layer, sorted by path, and the changes', async () => {
    const svc = articleService();
    svc.add(entry('/etc', { type: 'dir' }));
    svc.add(entry('/etc/hosts', { layer: 'upper' }), 'x');
    await svc.remove('/delete-me.txt');
    const out = await exportJson(svc);
    expect(out.entries.map((e) => [e.path, e.layer, e.type])).toEqual([
      ['/delete-me.txt', 'upper', 'whiteout'],
      ['/duplicate.txt', 'upper', 'file'],
      ['/etc', 0, 'dir'],
      ['/etc/hosts', 'upper', 'file'],
      ['/lower.txt', 0, 'file'],
      ['/upper.txt', 'upper', 'file'],
    ]);
    expect(out.entries[0]!.mode).toBe('0644');
    expect(out.changes).toEqual(expect.arrayContaining([{ path: '/delete-me.txt', kind: 'D' }, { path: '/duplicate.txt', kind: 'C' }, { path: '/upper.txt', kind: 'A' }]));
    expect(out.layers).toEqual(svc.header.layers);
  });
});
