/**
 * The error contract of core, enforced: binding.ts is the only file that imports the addon,
 * and every exported function — sys.* and InotifyWatcher included — driven with bad input
 * either returns or fails with a SystemError, an OvlError or a TypeError, never anything
 * else (a raw addon error, a RangeError, a plain Error). Runs without root: the bad inputs
 * are paths that do not exist, numbers that are no fd, and values of the wrong type — none
 * can mount, unmount or close anything.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import { makeBase, removeBase, writeTree } from './support/layers.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('one door into the addon', () => {
  it('no file of core but src/binding.ts imports @ovl/native', () => {
    const importers = sourceFiles(SRC).filter((f) => /from\s+['"]@ovl\/native['"]|require\(['"]@ovl\/native['"]\)|import\(['"]@ovl\/native['"]\)/.test(readFileSync(f, 'utf8')));
    expect(importers.map((f) => f.slice(SRC.length + 1))).toEqual(['binding.ts']);
  });
});

let base: string;
let missing: string;
let file: string;
let cwd: string;
beforeAll(() => {
  base = makeBase('ovl-public-errors-');
  // Some calls make what they are given (makeStepDirs): relative bad paths land in the temp dir.
  cwd = process.cwd();
  process.chdir(base);
  writeTree(base, { 'a-file': 'x\n', dir: {} });
  missing = join(base, 'no', 'such', 'path');
  file = join(base, 'a-file');
});
afterAll(() => {
  process.chdir(cwd);
  removeBase(base);
});

/** Values no call can act on: wrong types, and numbers that are no fd, flag set or id in use. */
function badValues(): unknown[] {
  return [undefined, null, true, -1, 1.5, Number.NaN, 2 ** 53, '', 'x\0y', 'relative/no/such', missing, file, {}, [], [missing], { lower: 42 }, Symbol('bad'), () => undefined];
}

/** What a call did: a public error, or a problem to report. */
async function outcome(label: string, run: () => unknown): Promise<string | undefined> {
  let thrown: unknown;
  try {
    const r = run();
    if (r instanceof Promise) await r;
    else if (r !== null && typeof r === 'object' && Symbol.asyncIterator in r && typeof (r as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      const it = (r as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const closer = r as { close?: () => Promise<void> };
      if (typeof closer.close === 'function') await closer.close();
      else await it.next();
    }
    return undefined;
  } catch (e) {
    thrown = e;
  }
  const ok = thrown instanceof core.SystemError || thrown instanceof core.OvlError || (thrown instanceof TypeError && thrown.constructor === TypeError);
  return ok ? undefined : `${label}: ${thrown instanceof Error ? `${thrown.constructor.name}: ${thrown.message}` : String(thrown)}`;
}

/** Every call shape tried on `fn`: no argument, then each bad value in every position. */
async function drive(label: string, fn: (...args: unknown[]) => unknown, self?: unknown): Promise<string[]> {
  const problems: string[] = [];
  const arity = Math.max(fn.length, 1);
  const shapes: unknown[][] = [[]];
  for (const v of badValues()) shapes.push(Array.from({ length: arity + 1 }, () => v));
  for (const args of shapes) {
    const p = await outcome(`${label}(${args.map((a) => (typeof a === 'symbol' ? 'Symbol' : typeof a === 'function' ? 'fn' : JSON.stringify(a))).join(', ')})`, () => fn.apply(self, args));
    if (p) problems.push(p);
  }
  return problems;
}

describe('only SystemError, OvlError and TypeError leave core', () => {
  it('every exported function', async () => {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(core)) {
      if (typeof value !== 'function' || name === 'SystemError' || name === 'OvlError') continue;
      problems.push(...(await drive(name, value as (...args: unknown[]) => unknown)));
    }
    expect(problems).toEqual([]);
  });

  it('every sys.* call', async () => {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(core.sys)) {
      if (typeof value !== 'function' || name === 'InotifyWatcher') continue;
      problems.push(...(await drive(`sys.${name}`, value as (...args: unknown[]) => unknown)));
    }
    expect(Object.keys(core.sys).length).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });

  it('sys.InotifyWatcher: construction and every method', async () => {
    const problems: string[] = [];
    const Watcher = core.sys.InotifyWatcher;
    problems.push(...(await drive('new InotifyWatcher', (...args: unknown[]) => new (Watcher as unknown as new (...a: unknown[]) => unknown)(...args))));
    const w = new Watcher(() => undefined);
    try {
      for (const m of ['add', 'remove', 'ref', 'unref'] as const) problems.push(...(await drive(`watcher.${m}`, w[m] as (...args: unknown[]) => unknown, w)));
    } finally {
      w.close();
    }
    problems.push(...(await drive('watcher.add after close', w.add as (...args: unknown[]) => unknown, w)));
    expect(problems).toEqual([]);
  });

  it('every method of an OverlayView', async () => {
    const view = await core.openOverlay({ lower: [join(base, 'dir')], upper: base });
    const problems: string[] = [];
    for (const name of ['readdir', 'readdirChunks', 'stat', 'statMany', 'walk', 'changes', 'watch'] as const) {
      problems.push(...(await drive(`view.${name}`, view[name] as (...args: unknown[]) => unknown, view)));
    }
    expect(problems).toEqual([]);
  });
});
