// InotifyWatcher: events, batching, close, ref/unref, errors, lifetime.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addonPath, C, catchSync, expectNativeError, makeTempDir, native, removeTempDir } from './helpers.mjs';

let dir;
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeTempDir(dir));

let seq = 0;
function subdir() {
  const d = path.join(dir, `w-${seq++}`);
  fs.mkdirSync(d);
  return d;
}

// A watcher recording every batch; `until(pred)` resolves once pred(events) holds.
const open = [];
function watcher() {
  const w = { batches: [], events: [] };
  let waiter = null;
  w.native = new native.InotifyWatcher((events) => {
    w.batches.push(events);
    w.events.push(...events);
    if (waiter && waiter.pred(w.events)) {
      const { resolve } = waiter;
      waiter = null;
      resolve(w.events);
    }
  });
  w.until = (pred, ms = 5000) => new Promise((resolve, reject) => {
    if (pred(w.events)) return resolve(w.events);
    const timer = setTimeout(() => {
      waiter = null;
      reject(new Error(`timed out; events: ${JSON.stringify(w.events.slice(0, 20))}`));
    }, ms);
    waiter = { pred, resolve: (v) => { clearTimeout(timer); resolve(v); } };
  });
  open.push(w.native);
  return w;
}
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

/**
 * A sync point instead of a sleep: inotify delivers one instance's events in order, so once
 * an event made *after* some action has arrived, every event that action caused on the same
 * instance has arrived too. `flushed(w)` makes that later event (a file in a dir of its own
 * that `w` watches) and waits for it; what `w` recorded before it is then complete.
 */
async function flushed(w) {
  w.sentinelDir ??= subdir();
  w.sentinelWd ??= w.native.add(w.sentinelDir, C.IN_CREATE);
  const name = `sentinel-${(w.sentinels = (w.sentinels ?? 0) + 1)}`;
  fs.writeFileSync(path.join(w.sentinelDir, name), '');
  await w.until((ev) => ev.some((e) => e.wd === w.sentinelWd && e.name === name));
  return w.events.filter((e) => e.wd !== w.sentinelWd);
}

/**
 * For a watcher that was closed (it can no longer be flushed): a second watcher on the same
 * dir sees the same kernel events; once it has delivered one made after the close, the
 * closed watcher had its chance too (both fds turn readable together, and the event loop
 * polls them in one turn).
 */
async function witnessed(dir, name) {
  const witness = watcher();
  witness.native.add(dir, C.IN_CREATE);
  fs.writeFileSync(path.join(dir, name), '');
  await witness.until((ev) => ev.some((e) => e.name === name));
}
const has = (mask, bit) => (mask & bit) === bit;
const WATCH = C.IN_CREATE | C.IN_MODIFY | C.IN_CLOSE_WRITE | C.IN_DELETE | C.IN_MOVED_FROM | C.IN_MOVED_TO;

// Runs `script` in a fresh node; returns { status, signal, stdout, stderr }.
const childPrelude = `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(addonPath)}); const n = m.exports; const C = n.constants;`;

function child(script, opts = {}) {
  return spawnSync(process.execPath, [...(opts.flags ?? []), '-e', childPrelude + script], {
    encoding: 'utf8', timeout: opts.timeout ?? 10000,
  });
}

describe('InotifyWatcher events', () => {
  it('reports create, modify, close-write and delete with the watch descriptor and name', async () => {
    const d = subdir();
    const w = watcher();
    const wd = w.native.add(d, WATCH);
    expect(Number.isInteger(wd) && wd > 0).toBe(true);
    fs.writeFileSync(path.join(d, 'f'), 'data');
    fs.mkdirSync(path.join(d, 'sub'));
    fs.unlinkSync(path.join(d, 'f'));
    const events = await w.until((ev) => ev.some((e) => has(e.mask, C.IN_DELETE)));
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(['cookie', 'mask', 'name', 'wd']);
      expect(e.wd).toBe(wd);
    }
    const seen = events.map((e) => [e.name, e.mask]);
    expect(seen).toEqual([
      ['f', C.IN_CREATE], ['f', C.IN_MODIFY], ['f', C.IN_CLOSE_WRITE],
      ['sub', C.IN_CREATE | C.IN_ISDIR], ['f', C.IN_DELETE],
    ]);
  });

  it('pairs a rename with one non-zero cookie, across watched directories too', async () => {
    const a = subdir();
    const b = subdir();
    const w = watcher();
    const wa = w.native.add(a, WATCH);
    const wb = w.native.add(b, WATCH);
    fs.writeFileSync(path.join(a, 'one'), '');
    fs.renameSync(path.join(a, 'one'), path.join(a, 'two'));
    fs.renameSync(path.join(a, 'two'), path.join(b, 'three'));
    const events = await w.until((ev) => ev.filter((e) => has(e.mask, C.IN_MOVED_TO)).length === 2);
    const moves = events.filter((e) => e.mask & (C.IN_MOVED_FROM | C.IN_MOVED_TO));
    expect(moves.map(({ wd, mask, name }) => ({ wd, mask, name }))).toEqual([
      { wd: wa, mask: C.IN_MOVED_FROM, name: 'one' }, { wd: wa, mask: C.IN_MOVED_TO, name: 'two' },
      { wd: wa, mask: C.IN_MOVED_FROM, name: 'two' }, { wd: wb, mask: C.IN_MOVED_TO, name: 'three' },
    ]);
    expect(moves[0].cookie).not.toBe(0);
    expect(moves[1].cookie).toBe(moves[0].cookie);
    expect(moves[2].cookie).not.toBe(0);
    expect(moves[3].cookie).toBe(moves[2].cookie);
    expect(moves[2].cookie).not.toBe(moves[0].cookie);
    expect(events.filter((e) => !(e.mask & C.IN_MOVE)).every((e) => e.cookie === 0)).toBe(true);
  });

  it('delivers names with spaces, newlines and non-ASCII exactly, and bad UTF-8 as U+FFFD', async () => {
    const d = subdir();
    const w = watcher();
    w.native.add(Buffer.from(d), C.IN_CREATE);
    const names = ['a b', 'line\nbreak', 'tab\t', 'é中🙂', 'co:lon,comma\\'];
    for (const n of names) fs.writeFileSync(path.join(d, n), '');
    const raw = Buffer.from([0x61, 0xff, 0xe9]);
    fs.writeFileSync(Buffer.concat([Buffer.from(d + '/'), raw]), '');
    const events = await w.until((ev) => ev.length === names.length + 1);
    expect(events.map((e) => e.name)).toEqual([...names, raw.toString('utf8')]);
    expect(events[names.length].name).toBe('a\ufffd\ufffd');
  });

  it('reports events on the watched path itself with an empty name', async () => {
    const d = subdir();
    const w = watcher();
    const wd = w.native.add(d, C.IN_ATTRIB | C.IN_DELETE_SELF);
    fs.chmodSync(d, 0o700);
    fs.rmdirSync(d);
    const events = await w.until((ev) => ev.some((e) => has(e.mask, C.IN_IGNORED)));
    expect(events.map((e) => [e.wd, e.mask, e.name])).toEqual([
      [wd, C.IN_ATTRIB | C.IN_ISDIR, ''], [wd, C.IN_DELETE_SELF, ''], [wd, C.IN_IGNORED, ''],
    ]);
  });

  it('delivers a burst of 5,000 creates completely, in fewer calls than events', async () => {
    const d = subdir();
    const w = watcher();
    w.native.add(d, C.IN_CREATE);
    // Hard links: one create event each without making 5,000 inodes (slow on some disks).
    fs.writeFileSync(path.join(d, 'base'), '');
    for (let i = 0; i < 4999; i++) fs.linkSync(path.join(d, 'base'), path.join(d, `n${i}`));
    await w.until((ev) => ev.length >= 5000, 20000);
    const batches = w.batches.length;
    const events = await flushed(w);
    expect(events).toHaveLength(5000);
    expect(new Set(events.map((e) => e.name)).size).toBe(5000);
    expect(events.every((e) => e.mask === C.IN_CREATE)).toBe(true);
    expect(batches).toBeLessThan(events.length);
    console.log(`inotify: 5000 events in ${w.batches.length} callbacks (largest ${Math.max(...w.batches.map((b) => b.length))})`);
  });

  const maxQueued = Number(fs.readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8'));
  it.skipIf(!(maxQueued <= 70000))('delivers IN_Q_OVERFLOW (wd -1) when the kernel queue overflows', async () => {
    const d = subdir();
    const w = watcher();
    w.native.add(d, C.IN_CREATE);
    // The JS thread is busy here, so nothing is read until the queue is full.
    fs.writeFileSync(path.join(d, 'base'), '');
    for (let i = 0; i < maxQueued + 100; i++) fs.linkSync(path.join(d, 'base'), path.join(d, `n${i}`));
    await w.until((ev) => ev.some((e) => e.mask & C.IN_Q_OVERFLOW), 20000);
    expect(w.events.at(-1)).toEqual({ wd: -1, mask: C.IN_Q_OVERFLOW, cookie: 0, name: '' });
    expect(w.events).toHaveLength(maxQueued + 1);
  });

  it('delivers a single write promptly (latency is reported, not asserted)', async () => {
    const d = subdir();
    const w = watcher();
    w.native.add(d, C.IN_CLOSE_WRITE);
    // From the end of the write (the close that makes IN_CLOSE_WRITE) to the callback.
    const latencies = [];
    for (let i = 0; i < 21; i++) {
      const before = w.events.length;
      fs.writeFileSync(path.join(d, `f${i % 2}`), 'x');
      const t0 = process.hrtime.bigint();
      await w.until((ev) => ev.length > before);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    latencies.sort((a, b) => a - b);
    console.log(`inotify: write-to-callback latency median ${latencies[10].toFixed(0)} µs, min ${latencies[0].toFixed(0)} µs, max ${latencies[20].toFixed(0)} µs (21 writes)`);
    expect(w.events).toHaveLength(21);
  });

  it('remove() ends a watch with IN_IGNORED and ignores an unknown wd', async () => {
    const d = subdir();
    const w = watcher();
    const wd = w.native.add(d, C.IN_CREATE);
    expect(w.native.add(d, C.IN_CREATE | C.IN_DELETE)).toBe(wd); // same path, same wd
    w.native.remove(wd);
    await w.until((ev) => ev.some((e) => e.mask === C.IN_IGNORED && e.wd === wd));
    fs.writeFileSync(path.join(d, 'after'), '');
    expect((await flushed(w)).map((e) => e.mask)).toEqual([C.IN_IGNORED]);
    expect(() => w.native.remove(wd)).not.toThrow();
    expect(() => w.native.remove(123456)).not.toThrow();
  });
});

describe('InotifyWatcher.close', () => {
  it('stops delivery, is idempotent, and leaves remove a no-op and add failing with EBADF', async () => {
    const d = subdir();
    const w = watcher();
    const wd = w.native.add(d, C.IN_CREATE);
    fs.writeFileSync(path.join(d, 'before'), '');
    await w.until((ev) => ev.length === 1);
    w.native.close();
    fs.writeFileSync(path.join(d, 'after'), '');
    await witnessed(d, 'after-witnessed');
    expect(w.events.map((e) => e.name)).toEqual(['before']);
    w.native.close();
    expect(() => w.native.remove(wd)).not.toThrow();
    expectNativeError(expect, catchSync(() => w.native.add(d, C.IN_CREATE)), {
      code: 'EBADF', syscall: 'inotify_add_watch', path: d,
    });
  });

  it('drops events already queued when closed before they were read', async () => {
    const d = subdir();
    const w = watcher();
    w.native.add(d, C.IN_CREATE);
    fs.writeFileSync(path.join(d, 'queued'), ''); // in the kernel queue, not yet read
    w.native.close();
    await witnessed(d, 'after-close');
    expect(w.events).toEqual([]);
  });

  it('can be called from inside the callback: no further call follows', async () => {
    const d = subdir();
    let calls = 0;
    const w = new native.InotifyWatcher(() => {
      calls++;
      w.close();
      fs.writeFileSync(path.join(d, `more${calls}`), '');
    });
    open.push(w);
    w.add(d, C.IN_CREATE);
    const witness = watcher();
    witness.native.add(d, C.IN_CREATE);
    fs.writeFileSync(path.join(d, 'first'), '');
    // The callback's own write (more1) reached the witness: a second call would have come by now.
    await witness.until((ev) => ev.some((e) => e.name === 'more1'));
    await witnessed(d, 'after-more1');
    expect(calls).toBe(1);
  });

  it('closes its fd', async () => {
    const fds = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:inotify';
      } catch {
        return false; // the fd of readdir itself, gone by now
      }
    }).length;
    const before = fds();
    const ws = Array.from({ length: 5 }, () => new native.InotifyWatcher(() => {}));
    expect(fds()).toBe(before + 5);
    for (const w of ws) w.close();
    expect(fds()).toBe(before);
  });
});

describe('InotifyWatcher errors', () => {
  it('add on a missing path throws ENOENT with the path', () => {
    const w = watcher();
    const missing = path.join(dir, 'missing');
    expectNativeError(expect, catchSync(() => w.native.add(missing, C.IN_CREATE)), {
      errno: 2, code: 'ENOENT', syscall: 'inotify_add_watch', path: missing,
    });
    const file = path.join(dir, 'plain-file');
    fs.writeFileSync(file, '');
    expectNativeError(expect, catchSync(() => w.native.add(file, C.IN_CREATE | C.IN_ONLYDIR)), {
      code: 'ENOTDIR', syscall: 'inotify_add_watch', path: file,
    });
  });

  it('rejects bad arguments with TypeError / RangeError', () => {
    expect(() => new native.InotifyWatcher()).toThrow(/onEvents must be a function/);
    expect(() => new native.InotifyWatcher(42)).toThrow(TypeError);
    expect(() => native.InotifyWatcher(() => {})).toThrow(TypeError); // without new
    const w = watcher();
    expect(() => w.native.add(42, C.IN_CREATE)).toThrow(TypeError);
    expect(() => w.native.add(dir, -1)).toThrow(RangeError);
    expect(() => w.native.add(dir, 'x')).toThrow(TypeError);
    expect(() => w.native.remove('1')).toThrow(TypeError);
  });
});

describe('InotifyWatcher and the process', () => {
  const script = (d, extra) => `
    const w = new n.InotifyWatcher(() => {});
    w.add(${JSON.stringify(d)}, C.IN_CREATE);
    ${extra}`;

  it('keeps the process alive while ref\'d, not once unref\'d', async () => {
    const d = subdir();
    const unrefd = child(script(d, 'w.unref(); console.log("watching");'));
    expect(unrefd).toMatchObject({ status: 0, signal: null, stderr: '', stdout: 'watching\n' });
    // Still running 500 ms after its watcher was set up (an unref'd one is gone by then); timed
    // from the child's own word, so a slow start on a loaded machine cannot pass for staying alive.
    const refd = spawn(process.execPath, ['-e', childPrelude + script(d, 'console.log("watching");')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => refd.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise((resolve) => refd.stdout.once('data', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(refd.exitCode).toBeNull();
    refd.kill('SIGTERM');
    expect(await exited).toEqual({ code: null, signal: 'SIGTERM' });
    const again = child(script(d, 'w.unref(); w.ref(); setTimeout(() => { w.close(); console.log("closed"); }, 200);'));
    expect(again).toMatchObject({ status: 0, stdout: 'closed\n' });
  });

  it('stays alive (and delivering) when its JS object is unreachable, until closed', () => {
    const d = subdir();
    const r = child(`
      (() => {
        const w = new n.InotifyWatcher((events) => { console.log(events[0].name); w.close(); });
        w.add(${JSON.stringify(d)}, C.IN_CREATE);
      })();
      globalThis.gc();
      setTimeout(() => { globalThis.gc(); require('fs').writeFileSync(${JSON.stringify(path.join(d, 'ping'))}, ''); }, 50);
      setTimeout(() => globalThis.gc(), 300);`, { flags: ['--expose-gc'] });
    expect(r).toMatchObject({ status: 0, signal: null, stdout: 'ping\n', stderr: '' });
  });

  it('sends an exception thrown by the callback to uncaughtException', () => {
    const d = subdir();
    const r = child(`
      process.on('uncaughtException', (e) => { console.log('caught ' + e.message); process.exit(0); });
      const w = new n.InotifyWatcher(() => { throw new Error('boom'); });
      w.add(${JSON.stringify(d)}, C.IN_CREATE);
      require('fs').writeFileSync(${JSON.stringify(path.join(d, 'x'))}, '');`);
    expect(r).toMatchObject({ status: 0, stdout: 'caught boom\n' });
  });

  it('lets a worker thread with an open watcher end cleanly', () => {
    const d = subdir();
    const r = child(`
      const { Worker } = require('worker_threads');
      const code = ${JSON.stringify(`
        const { parentPort } = require('worker_threads');
        const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(addonPath)});
        const w = new m.exports.InotifyWatcher(() => {});
        w.add(${JSON.stringify(d)}, m.exports.constants.IN_CREATE);
        parentPort.postMessage('ready');`)};
      const a = new Worker(code, { eval: true });
      a.on('message', () => a.terminate().then(() => {
        const b = new Worker(code + ';process.exit(3)', { eval: true });
        b.on('exit', (c) => console.log('exits', c));
      }));`);
    expect(r).toMatchObject({ status: 0, signal: null, stdout: 'exits 3\n' });
  });
});
