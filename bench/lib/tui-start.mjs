// Cold start of ovl-tui in a real terminal: a fresh tmux server (120x40) per run whose pane
// waits at `read`, its output piped to a file (pipe-pane, set before anything is printed);
// the clock starts when Enter is sent and the shell execs the program, and stops when the
// output holds the program's first frame (or, for `node -e 0`, the marker the shell prints
// after node exits). Same path for every program, so their ratio is what node itself costs.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
let runs = 0;

/**
 * Milliseconds from Enter to the first output containing `marker` (undefined on timeout).
 * `argv` runs as the pane's program (through its shebang when it is a script).
 */
export async function timeToOutput(argv, marker, { dir, columns = 120, rows = 40, timeoutMs = 20_000, after = '' } = {}) {
  const socket = `ovl-bench-start-${process.pid}-${++runs}`;
  const out = join(dir, `${socket}.out`);
  writeFileSync(out, '');
  const tmux = (...args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  let socketPath;
  try {
    tmux('new-session', '-d', '-x', String(columns), '-y', String(rows), `read _; ${argv.map(quote).join(' ')}${after}; sleep 600`);
    socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
    tmux('pipe-pane', '-t', '0', '-o', `cat >> ${quote(out)}`);
    const seen = new Promise((resolve) => {
      const check = () => {
        if (!readFileSync(out, 'latin1').includes(marker)) return false;
        resolve(performance.now());
        return true;
      };
      const watcher = watch(out, () => check() && stop());
      const poll = setInterval(() => check() && stop(), 5); // a missed inotify event costs 5 ms at most
      const timer = setTimeout(() => {
        resolve(undefined);
        stop();
      }, timeoutMs);
      const stop = () => {
        watcher.close();
        clearInterval(poll);
        clearTimeout(timer);
      };
    });
    const t0 = performance.now();
    tmux('send-keys', '-t', '0', 'Enter');
    const t1 = await seen;
    return t1 === undefined ? undefined : t1 - t0;
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    if (socketPath) rmSync(socketPath, { force: true }); // the server can leave it behind
    rmSync(out, { force: true });
  }
}
