// streamBeneath: bytes with files of a dir spliced in, written to an fd (or returned) and
// sha256'd as they go; a file that is not as described cuts the stream (reported, not thrown);
// sync and async share one implementation.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchAsync, catchSync, expectNativeError, makeTempDir, native, removeTempDir } from './helpers.mjs';

let dir, root, outside, outFile;
beforeEach(() => {
  dir = makeTempDir();
  root = path.join(dir, 'root');
  outside = path.join(dir, 'outside');
  fs.mkdirSync(path.join(root, 'd'), { recursive: true });
  fs.mkdirSync(outside);
  outFile = path.join(dir, 'out');
});
afterEach(() => removeTempDir(dir));

const E = os.constants.errno;
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const ino = (p) => fs.statSync(p).ino;
const threads = () => Number(/^Threads:\s+(\d+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
/**
 * The thread count once it has come down to `want` (or what it is if it never does, within the
 * test's timeout). A joined thread is still counted for a moment: pthread_join returns when the
 * kernel clears the thread's tid, early in its exit, before it leaves the thread group
 * (measured: ~1 read in 3,000 right after the join still counted it). A rise is counted at
 * clone, so it is read at once.
 */
async function threadsDownTo(want) {
  for (let n = threads(); ; n = threads()) {
    if (n <= want) return n;
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A layout entry for the whole of `rel` under root at `at`. */
function whole(rel, at, { withIno = true } = {}) {
  const p = path.join(root, rel);
  const size = fs.statSync(p).size;
  return [at, 0, withIno ? ino(p) : 0, size, 0, size];
}

function stream(bytes, entries, rels, hashState = null, { async = false, roots = [root] } = {}) {
  const fd = fs.openSync(outFile, 'a');
  const args = [fd, roots, bytes, Float64Array.from(entries.flat()), rels, hashState];
  const done = (r) => {
    fs.closeSync(fd);
    return r;
  };
  if (async) return native.streamBeneathAsync(...args).then(done, (e) => { fs.closeSync(fd); throw e; });
  try {
    return done(native.streamBeneath(...args));
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

describe('streamBeneath', () => {
  it('writes the bytes with each file spliced in at its offset, and their sha256', async () => {
    fs.writeFileSync(path.join(root, 'd/a'), 'AAAA');
    fs.writeFileSync(path.join(root, 'b'), 'bb');
    fs.writeFileSync(path.join(root, 'empty'), '');
    const bytes = Buffer.from('<h1><h2><h3>end');
    for (const async of [false, true]) {
      fs.rmSync(outFile, { force: true });
      const r = await stream(bytes, [whole('d/a', 4), whole('b', 8), whole('empty', 12)], ['d/a', 'b', 'empty'], null, { async });
      const want = Buffer.from('<h1>AAAA<h2>bb<h3>end');
      expect(fs.readFileSync(outFile)).toEqual(want);
      expect(r).toMatchObject({ written: want.length, digest: sha(want) });
      expect(r.stopped).toBeUndefined();
      expect(r.data).toBeUndefined();
    }
  });

  it('goes on hashing across calls with the hashState, and copies ranges of a file', () => {
    fs.writeFileSync(path.join(root, 'f'), '0123456789');
    const first = stream(Buffer.from('[]'), [[1, 0, ino(path.join(root, 'f')), 10, 0, 4]], ['f']);
    const second = stream(Buffer.from('()'), [[1, 0, 0, 10, 4, 6]], ['f'], first.hashState);
    expect(fs.readFileSync(outFile, 'latin1')).toBe('[0123](456789)');
    expect(first.digest).toBe(sha('[0123]'));
    expect(second.digest).toBe(sha('[0123](456789)'));
    // the state is bytes: the same state resumed twice gives the same hash
    expect(stream(Buffer.from('()'), [[1, 0, 0, 10, 4, 6]], ['f'], first.hashState).digest).toBe(second.digest);
  });

  it('returns the stream as data with out -1, and hashes a stream of many buffers (the hasher thread) right', async () => {
    const big = crypto.randomBytes((5 << 20) + 123);
    fs.writeFileSync(path.join(root, 'd/big'), big);
    fs.writeFileSync(path.join(root, 'small'), 'small');
    const bytes = Buffer.alloc(3000, 7);
    const layout = Float64Array.from([...whole('d/big', 1000), ...whole('small', 1000), ...whole('d/big', 2999, { withIno: false })]);
    const want = Buffer.concat([bytes.subarray(0, 1000), big, Buffer.from('small'), bytes.subarray(1000, 2999), big, bytes.subarray(2999)]);
    for (const r of [native.streamBeneath(-1, [root], bytes, layout, ['d/big', 'small', 'd/big'], null), await native.streamBeneathAsync(-1, [root], bytes, layout, ['d/big', 'small', 'd/big'], null)]) {
      expect(r.data.equals(want)).toBe(true);
      expect(r.written).toBe(want.length);
      expect(r.digest).toBe(sha(want));
    }
  });

  it('reads from several roots', () => {
    fs.writeFileSync(path.join(outside, 'o'), 'other');
    fs.writeFileSync(path.join(root, 'r'), 'root');
    const r = native.streamBeneath(-1, [root, outside], Buffer.from('|'), Float64Array.from([0, 1, 0, 5, 0, 5, 1, 0, 0, 4, 0, 4]), ['o', 'r'], null);
    expect(r.data.toString()).toBe('other|root');
  });

  it('stops at a file that is not as described, and says what it found: never reads through a symlink, a FIFO or out of the root', async () => {
    fs.writeFileSync(path.join(outside, 'secret'), 'secret');
    fs.symlinkSync(outside, path.join(root, 'up'));
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
    fs.writeFileSync(path.join(root, 'ok'), 'ok');
    fs.writeFileSync(path.join(root, 'sized'), '123');
    native.mknod(path.join(root, 'fifo'), native.constants.S_IFIFO | 0o644, 0, 0);
    const okIno = ino(path.join(root, 'ok'));
    const cases = [
      ['up/secret', [0, 0, 0, 6, 0, 6], { errno: E.ELOOP }],
      ['link', [0, 0, 0, 6, 0, 6], { errno: E.ELOOP }],
      ['../outside/secret', [0, 0, 0, 6, 0, 6], { errno: E.EXDEV }],
      ['nope', [0, 0, 0, 1, 0, 1], { errno: E.ENOENT }],
      ['fifo', [0, 0, 0, 0, 0, 0], { errno: 0, mode: fs.lstatSync(path.join(root, 'fifo')).mode }],
      ['sized', [0, 0, 0, 2, 0, 2], { errno: 0, size: 3 }],
      ['sized', [0, 0, okIno, 3, 0, 3], { errno: 0, ino: ino(path.join(root, 'sized')) }],
    ];
    for (const [rel, entry, found] of cases) {
      for (const async of [false, true]) {
        const args = [-1, [root], Buffer.from('ab'), Float64Array.from([0, 0, okIno, 2, 0, 2, ...entry]), ['ok', rel], null];
        const r = async ? await native.streamBeneathAsync(...args) : native.streamBeneath(...args);
        expect(r.stopped, rel).toMatchObject({ index: 1, ...found });
        expect(r.digest).toBeUndefined();
        expect(r.hashState).toBeUndefined();
      }
    }
  });

  it('bad arguments are TypeErrors (RangeError for an fd out of range), sync and async; a missing root or a bad fd a SystemError', async () => {
    fs.writeFileSync(path.join(root, 'f'), 'ff');
    const good = () => [-1, [root], Buffer.from('ab'), Float64Array.from([1, 0, 0, 2, 0, 2]), ['f'], null];
    const bad = [
      [0, 'x', /out must be an integer/],
      [1, root, /roots must be an array/],
      [1, [root, 7], /roots\[1\] must be a string or Buffer/],
      [2, 5, /bytes must be a string or Buffer/],
      [3, [1, 0, 0, 2, 0, 2], /layout must be a Float64Array/],
      [3, Float64Array.from([1, 0, 0, 2, 0]), /layout must be a Float64Array of 6 numbers for each of rels/],
      [3, Float64Array.from([3, 0, 0, 2, 0, 2]), /offsets into bytes, in order/],
      [3, Float64Array.from([1, 1, 0, 2, 0, 2]), /root indices into roots/],
      [3, Float64Array.from([1, 0, 0, 2, 1, 2]), /ranges within each file's size/],
      [3, Float64Array.from([1, 0, 0, 2, 0, 0.5]), /non-negative integers/],
      [3, Float64Array.from([1, 0, -1, 2, 0, 2]), /non-negative integers/],
      [3, Float64Array.from([1, 0, NaN, 2, 0, 2]), /non-negative integers/],
      [4, 'f', /rels must be an array/],
      [4, ['f\0g'], /without null bytes/],
      [5, Buffer.alloc(3), /hashState must be null or the hashState an earlier streamBeneath returned/],
      [5, 42, /hashState must be a string or Buffer/],
    ];
    for (const [at, value, message] of bad) {
      const args = good();
      args[at] = value;
      const e = catchSync(() => native.streamBeneath(...args));
      expect(e, String(message)).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(message);
      const ea = await catchAsync(native.streamBeneathAsync(...args));
      expect(ea).toBeInstanceOf(TypeError);
      expect(ea.message).toMatch(/^streamBeneathAsync: /);
    }
    // a forged state (its block index past the block) is refused, not trusted
    const state = Buffer.from(native.streamBeneath(...good()).hashState);
    state.fill(0xff);
    expect(catchSync(() => native.streamBeneath(...good().slice(0, 5), state))).toBeInstanceOf(TypeError);
    expect(catchSync(() => native.streamBeneath(-2, ...good().slice(1)))).toBeInstanceOf(RangeError);

    const missing = good();
    missing[1] = [path.join(dir, 'gone')];
    expectNativeError(expect, catchSync(() => native.streamBeneath(...missing)), { code: 'ENOENT', syscall: 'open', path: path.join(dir, 'gone') });
    expectNativeError(expect, await catchAsync(native.streamBeneathAsync(...missing)), { code: 'ENOENT', syscall: 'open' });
    const readOnly = fs.openSync(path.join(root, 'f'), 'r');
    try {
      expectNativeError(expect, catchSync(() => native.streamBeneath(readOnly, ...good().slice(1))), { code: 'EBADF', syscall: 'write' });
    } finally {
      fs.closeSync(readOnly);
    }
    expect(fs.readFileSync(path.join(root, 'f'), 'utf8')).toBe('ff');
  });

  it('a StreamHash keeps one sha256 across calls, sync and async, while each call returns before its bytes are hashed', async () => {
    const big = crypto.randomBytes((9 << 20) + 77); // more than the StreamHash's 4 MiB of buffers
    fs.writeFileSync(path.join(root, 'd/big'), big);
    fs.writeFileSync(path.join(root, 's'), 'small');
    const hash = native.createStreamHash();
    expect(native.streamHashDigest(hash).digest).toBe(sha(''));
    const calls = [
      [Buffer.from('<a>'), [whole('d/big', 3)], ['d/big']],
      [Buffer.from('<b><c>'), [whole('s', 3), whole('d/big', 6)], ['s', 'd/big']],
      [Buffer.from('end'), [], []],
    ];
    for (const [i, [bytes, entries, rels]] of calls.entries()) {
      const r = await stream(bytes, entries, rels, hash, { async: i === 1 });
      // the state lives in the StreamHash: not returned per call
      expect(r.digest).toBeUndefined();
      expect(r.hashState).toBeUndefined();
    }
    const want = Buffer.concat([Buffer.from('<a>'), big, Buffer.from('<b>small<c>'), big, Buffer.from('end')]);
    expect(fs.readFileSync(outFile).equals(want)).toBe(true);
    const sync = native.streamHashDigest(hash);
    expect(sync.digest).toBe(sha(want));
    expect((await native.streamHashDigestAsync(hash)).digest).toBe(sha(want));
    // its state goes on as a plain hashState would
    expect(native.streamBeneath(-1, [root], Buffer.from('!'), new Float64Array(0), [], sync.hashState).digest).toBe(sha(Buffer.concat([want, Buffer.from('!')])));
    // out -1: the bytes come back, hashed all the same
    const other = await native.createStreamHashAsync();
    const r = native.streamBeneath(-1, [root], Buffer.from('<>'), Float64Array.from(whole('d/big', 1)), ['d/big'], other);
    expect(r.data.equals(Buffer.concat([Buffer.from('<'), big, Buffer.from('>')]))).toBe(true);
    expect(native.streamHashDigest(other).digest).toBe(sha(r.data));
  });

  it('a StreamHash holds its hash thread only while bytes go through it: the digest ends it, a later call starts another', async () => {
    fs.writeFileSync(path.join(root, 's'), 'small');
    const hash = await native.createStreamHashAsync(); // libuv's pool threads exist before counting
    const idle = threads();
    native.streamBeneath(-1, [root], Buffer.from('<>'), Float64Array.from(whole('s', 1)), ['s'], hash);
    expect(threads()).toBe(idle + 1);
    expect(native.streamHashDigest(hash).digest).toBe(sha('<small>'));
    expect(await threadsDownTo(idle)).toBe(idle);
    native.streamBeneath(-1, [root], Buffer.from('!'), new Float64Array(0), [], hash);
    expect(threads()).toBe(idle + 1);
    expect((await native.streamHashDigestAsync(hash)).digest).toBe(sha('<small>!'));
    expect(await threadsDownTo(idle)).toBe(idle);
  });

  it('1,000 one-byte files back to back stream whole, through a StreamHash and with a hashState alike', async () => {
    // one buffer holds them all: each still opened, checked and closed on its own
    const rels = [];
    for (let i = 0; i < 1000; i++) {
      rels.push(`t${i}`);
      fs.writeFileSync(path.join(root, `t${i}`), String(i % 10));
    }
    const big = crypto.randomBytes(1 << 20); // past the size streamBeneath hashes on a thread
    fs.writeFileSync(path.join(root, 'big'), big);
    const entries = [...rels.map((rel) => whole(rel, 1)), whole('big', 2)];
    const want = Buffer.concat([Buffer.from('<'), Buffer.from(rels.map((_, i) => String(i % 10)).join('')), Buffer.from('>'), big, Buffer.from('!')]);
    const hash = native.createStreamHash();
    const viaHash = await stream(Buffer.from('<>!'), entries, [...rels, 'big'], hash, { async: true });
    expect(viaHash.written).toBe(want.length);
    expect(native.streamHashDigest(hash).digest).toBe(sha(want));
    const viaState = stream(Buffer.from('<>!'), entries, [...rels, 'big']);
    expect(viaState.digest).toBe(sha(want));
    expect(fs.readFileSync(outFile).equals(Buffer.concat([want, want]))).toBe(true);
  });

  it('a StreamHash call stopped at a file after megabytes of others ends, and so do its digest and its thread; no fd of it stays open', async () => {
    fs.writeFileSync(path.join(outside, 'secret'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'link'));
    fs.writeFileSync(path.join(root, 'big'), crypto.randomBytes(6 << 20)); // more than the StreamHash's buffers
    const rels = ['big'];
    for (let i = 0; i < 300; i++) {
      rels.push(`s${i}`);
      fs.writeFileSync(path.join(root, `s${i}`), 'x'.repeat(700));
    }
    const entries = rels.map((rel) => whole(rel, 1));
    for (const async of [false, true]) {
      const hash = await native.createStreamHashAsync();
      const idle = threads();
      const args = [-1, [root], Buffer.from('<>'), Float64Array.from([...entries.flat(), 1, 0, 0, 6, 0, 6]), [...rels, 'link'], hash];
      const r = async ? await native.streamBeneathAsync(...args) : native.streamBeneath(...args);
      expect(r.stopped).toMatchObject({ index: rels.length, errno: E.ELOOP });
      expect(r.data.length).toBe(r.written); // what went out before the stop
      expect(typeof native.streamHashDigest(hash).digest).toBe('string');
      expect(await threadsDownTo(idle)).toBe(idle);
      // nothing outside the root was read, and no fd of the call is left open
      expect(fs.readdirSync('/proc/self/fd').map((fd) => { try { return fs.readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } }).filter((t) => t.startsWith(root) || t.startsWith(outside))).toEqual([]);
    }
  });

  it('calls queued on a StreamHash before the ones before them returned run in the order they were made; after a stop, later ones write nothing (ECANCELED)', async () => {
    const parts = [];
    for (let i = 0; i < 6; i++) {
      const b = crypto.randomBytes((i % 2 ? 3 << 20 : 1000) + i);
      parts.push(b);
      fs.writeFileSync(path.join(root, `p${i}`), b);
    }
    const hash = native.createStreamHash();
    const fd = fs.openSync(outFile, 'w');
    try {
      // all six queued at once, on libuv's pool of four threads, then the digest behind them
      const calls = parts.map((_, i) => native.streamBeneathAsync(fd, [root], Buffer.from(`<${i}>`), Float64Array.from(whole(`p${i}`, 2)), [`p${i}`], hash));
      const digest = native.streamHashDigestAsync(hash);
      const results = await Promise.all(calls);
      const want = Buffer.concat(parts.flatMap((b, i) => [Buffer.from(`<${i}`), b, Buffer.from('>')]));
      expect(results.map((r) => r.written)).toEqual(parts.map((b) => b.length + 3));
      expect(fs.readFileSync(outFile).equals(want)).toBe(true);
      expect((await digest).digest).toBe(sha(want));

      fs.symlinkSync('/etc/hostname', path.join(root, 'link'));
      const stopped = native.streamBeneathAsync(fd, [root], Buffer.from('[]'), Float64Array.from([1, 0, 0, 6, 0, 6]), ['link'], hash);
      // caught at once: the stopped call hands its turn on before its own work returns, so this
      // one can reject before `stopped` resolves, and with no handler yet that is an unhandled
      // rejection (it failed CI once that way)
      const after = catchAsync(native.streamBeneathAsync(fd, [root], Buffer.from('after'), new Float64Array(0), [], hash));
      expect((await stopped).stopped).toMatchObject({ index: 0, errno: E.ELOOP });
      expectNativeError(expect, await after, { code: 'ECANCELED', syscall: 'write' });
      expect(fs.readFileSync(outFile).length).toBe(want.length);
      expect(native.streamHashDigest(hash).digest).toBe(sha(want));
    } finally {
      fs.closeSync(fd);
    }
  });

  it('a StreamHash is only what createStreamHash made: anything else is a TypeError, sync and async', async () => {
    fs.writeFileSync(path.join(root, 'f'), 'ff');
    const notHashes = [{}, 'x', 7, Buffer.alloc(0), native.constants];
    for (const v of notHashes) {
      const e = catchSync(() => native.streamHashDigest(v));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toMatch(/hash must be a StreamHash from createStreamHash/);
      expect(await catchAsync(native.streamHashDigestAsync(v))).toBeInstanceOf(TypeError);
    }
    expect(catchSync(() => native.streamHashDigest())).toBeInstanceOf(TypeError);
    // nothing was written for a refused call
    expect(fs.existsSync(outFile)).toBe(false);
  });
});
