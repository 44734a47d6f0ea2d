// tree.expandChanges: an image layer's view opens with the dirs above its changes open.
import { describe, expect, it } from 'vitest';
import { MAX_AUTO_EXPAND, reducer } from '../../src/state/reducer.js';
import { initialState } from '../../src/state/state.js';

describe('tree.expandChanges', () => {
  it('opens every dir above a change', () => {
    const s0 = reducer(initialState(10), { type: 'changes.loaded', changes: [{ path: '/etc/ssl/cert.pem', kind: 'A' }, { path: '/usr/bin/curl', kind: 'C' }, { path: '/old', kind: 'D' }] });
    const s = reducer(s0, { type: 'tree.expandChanges' });
    expect([...s.expanded].sort()).toEqual(['/', '/etc', '/etc/ssl', '/usr', '/usr/bin']);
  });

  it('opens at most MAX_AUTO_EXPAND dirs, the shallowest first', () => {
    const changes = Array.from({ length: MAX_AUTO_EXPAND + 50 }, (_, i) => ({ path: `/d/sub${String(i).padStart(4, '0')}/f`, kind: 'A' as const }));
    const s = reducer(reducer(initialState(10), { type: 'changes.loaded', changes }), { type: 'tree.expandChanges' });
    expect(s.expanded.size).toBe(MAX_AUTO_EXPAND + 1); // '/' was open already
    expect(s.expanded.has('/d')).toBe(true);
  });
});
