// The flags that name containers and images, and ovl-tui with no argument (the picker).
import { describe, expect, it } from 'vitest';
import { needsRoot } from '../../src/cli/args.js';
import { error, ok } from '../support/parse-command.js';

describe('parseCommand: containers, images, the list and the picker', () => {
  it('opens the picker with no argument', () => {
    expect(ok([])).toEqual({ kind: 'picker' });
    expect(needsRoot(ok([]))).toBe(false);
  });

  it('opens a container or an image by ref, with or without --json and --engine', () => {
    expect(ok(['--container', 'web'])).toEqual({ kind: 'container', ref: 'web', json: false });
    expect(ok(['--json', '--container', '3f2a'])).toEqual({ kind: 'container', ref: '3f2a', json: true });
    expect(ok(['--image', 'alpine:3', '--engine', 'docker'])).toEqual({ kind: 'image', ref: 'alpine:3', engine: 'docker', json: false });
    expect(needsRoot(ok(['--container', 'web']))).toBe(false);
  });

  it('lists, as a table or as JSON', () => {
    expect(ok(['--list'])).toEqual({ kind: 'list', json: false });
    expect(ok(['--list', '--json'])).toEqual({ kind: 'list', json: true });
  });

  it.each([
    [['--container', 'a', '--image', 'b'], /one of --container, --image, not both/],
    [['--list', '--container', 'a'], /one of --container, --list/],
    [['--container', 'a', '/merged'], /--container does not go with a merged dir/],
    [['--image', 'a', '--lower', 'L'], /--image does not go with layer flags/],
    [['--list', '--demo'], /--list does not go with --demo/],
    [['--container', ''], /--container is an empty string/],
    [['--engine', 'podman'], /--engine goes with --container or --image/],
    [['--list', '--engine', 'podman'], /--list lists every engine/],
    [['--container', 'a', '--engine', 'lxc'], /--engine 'lxc' is not one of podman, docker, containerd/],
    [['--container'], /argument missing/],
    [['--keep'], /--keep is only used with --mount/],
  ])('refuses %j', (argv, message) => {
    expect(error(argv as string[])).toMatch(message as RegExp);
  });
});
