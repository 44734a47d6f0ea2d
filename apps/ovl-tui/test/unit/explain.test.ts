// How the command line says core's errors: message, hint on the next line, in its own words.
import { describe, expect, it } from 'vitest';
import { OvlError } from '@ovl/core';
import { explain } from '../../src/cli/explain.js';

describe('explain', () => {
  it("puts core's message and hint on two lines, with the CLI's flags for core's API words", () => {
    const notFound = new OvlError('ERR_OVL_CONTAINER_NOT_FOUND', "ovl: no container named 'wbe'; closest: web", { hint: 'Names, ids and unique id prefixes work; list them with listContainers().' });
    expect(explain(notFound)).toBe("ovl: no container named 'wbe'; closest: web\n  hint: Names, ids and unique id prefixes work; ovl-tui --list shows them.");
    const ambiguous = new OvlError('ERR_OVL_CONTAINER_AMBIGUOUS', "ovl: 'web' names 2 containers: podman 3f2a (web), docker 9b1c (web)", { hint: "Choose the engine (engine: 'podman') or give more of the id." });
    expect(explain(ambiguous)).toMatch(/\n {2}hint: Choose the engine \(--engine podman\) or give more of the id\.$/);
    const unreadable = new OvlError('ERR_OVL_STORAGE_UNREADABLE', "ovl: podman storage '/s' is there but cannot be read (EACCES)", { hint: 'run as root, or pass the store you can read in roots.' });
    expect(explain(unreadable)).toContain('hint: run as root, or pass the store you can read with OVL_TUI_PODMAN_ROOT, OVL_TUI_DOCKER_ROOT or OVL_TUI_CONTAINERD_ROOT.');
  });

  it('prefixes messages that are not ovl’s own, and never shows a stack', () => {
    expect(explain(new Error('boom'))).toBe('ovl-tui: boom');
    expect(explain('plain')).toBe('ovl-tui: plain');
  });
});
