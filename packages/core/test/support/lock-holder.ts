/**
 * Another process holding a write lock, as the engines' writers do: python3's fcntl.lockf
 * (a classic POSIX record lock, F_SETLKW F_WRLCK — what containers/storage takes) or
 * fcntl.flock (LOCK_EX — what bbolt takes). The lock is held until release() is called.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface LockHolder {
  release(): Promise<void>;
}

const SCRIPT = `
import fcntl, sys
f = open(sys.argv[1], 'r+')
if sys.argv[2] == 'record':
    fcntl.lockf(f, fcntl.LOCK_EX)
else:
    fcntl.flock(f, fcntl.LOCK_EX)
print('held', flush=True)
sys.stdin.read()
`;

/** Resolves once the other process holds the write lock. */
export async function holdWriteLock(file: string, kind: 'record' | 'flock'): Promise<LockHolder> {
  const child: ChildProcess = spawn('python3', ['-c', SCRIPT, file, kind], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the lock holder exited with ${code} before taking the lock on ${file}`)));
    child.stdout!.once('data', () => resolve());
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    release: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

/** Whether `p` settles within `ms` (false: still pending). */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return settled;
}
