// openReadLocked: a read lock other processes' writers respect, taken on an O_RDONLY fd.
// The writers here are python3's fcntl.lockf (a classic POSIX record lock, as
// containers/storage takes) and fcntl.flock (as bbolt takes).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catchSync, expectNativeError, makeTempDir, native, removeTempDir } from './helpers.mjs';

const HOLD = `
import fcntl, sys
f = open(sys.argv[1], 'r+')
getattr(fcntl, 'lockf' if sys.argv[2] == 'record' else 'flock')(f, fcntl.LOCK_EX)
print('held', flush=True)
sys.stdin.read()
`;
// Tries a write lock without waiting; prints 'got' or 'busy'.
const TRY = `
import fcntl, sys
f = open(sys.argv[1], 'r+')
try:
    getattr(fcntl, 'lockf' if sys.argv[2] == 'record' else 'flock')(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    print('got')
except OSError:
    print('busy')
`;

async function holdWriteLock(file, kind) {
  const child = spawn('python3', ['-c', HOLD, file, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return async () => {
    child.stdin.end();
    await exited;
  };
}

async function writerTry(file, kind) {
  const child = spawn('python3', ['-c', TRY, file, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.once('exit', resolve));
  return out.trim();
}

describe.each(['record', 'flock'])('openReadLocked %s', (kind) => {
  let dir;
  let file;
  beforeEach(() => {
    dir = makeTempDir();
    file = path.join(dir, 'x.lock');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o444); // an O_RDONLY open is all a read lock needs
  });
  afterEach(() => removeTempDir(dir));

  it('holds off a writer until the fd is closed', async () => {
    const fd = native.openReadLocked(file, kind);
    expect(await writerTry(file, kind)).toBe('busy');
    native.close(fd);
    expect(await writerTry(file, kind)).toBe('got');
  });

  it('waits for a writer (async), or says EAGAIN without waiting', async () => {
    const release = await holdWriteLock(file, kind);
    expectNativeError(expect, catchSync(() => native.openReadLocked(file, kind, false)), { code: 'EAGAIN', syscall: kind === 'record' ? 'fcntl' : 'flock', path: file });
    let got;
    const pending = native.openReadLockedAsync(file, kind, true).then((fd) => (got = fd));
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toBeUndefined();
    await release();
    await pending;
    expect(got).toBeGreaterThan(2);
    native.close(got);
  });

  it('two readers share it, and one closing leaves the other locked', async () => {
    const a = native.openReadLocked(file, kind);
    const b = await native.openReadLockedAsync(file, kind);
    native.close(a);
    expect(await writerTry(file, kind)).toBe('busy');
    native.close(b);
  });

  it('never creates the file; errors name it', () => {
    const missing = path.join(dir, 'missing.lock');
    expectNativeError(expect, catchSync(() => native.openReadLocked(missing, kind)), { code: 'ENOENT', syscall: 'open', path: missing });
    expect(fs.existsSync(missing)).toBe(false);
  });
});

it('openReadLocked refuses an unknown kind', () => {
  expect(() => native.openReadLocked('/x', 'exclusive')).toThrow(TypeError);
});
