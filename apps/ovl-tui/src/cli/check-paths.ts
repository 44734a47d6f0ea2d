/**
 * The paths a command names, checked before anything starts (before the terminal is asked
 * for, before any mount): what does not exist, is a file, or is given twice is said as such,
 * in the command line's own words (its flags), with the same layer rules as mountOverlay —
 * for the offline view too, whose layers the kernel would refuse to mount the same way.
 */
import { realpath, stat } from 'node:fs/promises';
import { overlayMountAt } from '@ovl/core';
import type { Command } from './args.js';

/** A refusal: one line, and a hint naming the flags to use. */
export interface PathProblem {
  message: string;
  hint: string;
}

type Named = { flag: string; path: string };

/** The dirs a command names, with the flag that named each. */
function namedDirs(command: Command): Named[] {
  switch (command.kind) {
    case 'attach':
      return [{ flag: '<merged-dir>', path: command.merged }];
    case 'offline':
      return [...command.lower.map((path) => ({ flag: '--lower', path })), ...(command.upper !== undefined ? [{ flag: '--upper', path: command.upper }] : [])];
    case 'mount':
      return [
        ...command.lower.map((path) => ({ flag: '--lower', path })),
        ...(command.upper !== undefined ? [{ flag: '--upper', path: command.upper }] : []),
        ...(command.work !== undefined ? [{ flag: '--work', path: command.work }] : []),
        { flag: '--mount', path: command.target },
      ];
    default:
      return [];
  }
}

async function kindOf(path: string): Promise<'dir' | 'file' | 'missing' | 'unreadable'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
}

/** The first problem with the paths of `command`, or undefined when they can be used. */
export async function checkPaths(command: Command): Promise<PathProblem | undefined> {
  const named = namedDirs(command);
  const seen = new Map<string, Named>();
  for (const n of named) {
    const kind = await kindOf(n.path);
    if (kind === 'missing') return { message: `ovl-tui: ${n.flag} '${n.path}' does not exist`, hint: `Check the spelling, or create it first (mkdir -p '${n.path}').` };
    if (kind === 'file') return { message: `ovl-tui: ${n.flag} '${n.path}' is a file, not a directory`, hint: n.flag === '<merged-dir>' ? 'Give the merged dir of a mounted overlay, or its layers with --lower/--upper.' : 'Layers and mount points are directories: give the directory that holds the files.' };
    if (kind === 'unreadable') return { message: `ovl-tui: ${n.flag} '${n.path}' cannot be read`, hint: `Check the permissions of '${n.path}' and of every directory above it (or run as root).` };
    const real = await realpath(n.path);
    const earlier = seen.get(real);
    if (earlier) {
      return {
        message: `ovl-tui: '${n.path}' is given twice (${earlier.flag} and ${n.flag})`,
        hint: 'Every layer is a separate directory (a symlink to the same dir counts as the same); the kernel would refuse this stack.',
      };
    }
    seen.set(real, n);
  }
  if (command.kind === 'attach' && (await overlayMountAt(command.merged)) === undefined) {
    return {
      message: `ovl-tui: '${command.merged}' is not the mount point of an overlay`,
      hint: 'Give the merged dir of a mounted overlay, or open its layers without a mount: ovl-tui --lower DIR [--upper DIR].',
    };
  }
  return undefined;
}
