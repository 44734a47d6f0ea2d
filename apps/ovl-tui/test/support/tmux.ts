/**
 * ovl-tui in a real terminal: a tmux server of its own (socket ovl-e2e-<pid>-<n>), keys sent
 * with send-keys, the screen read with capture-pane. Waiting polls the screen until the
 * expected text shows up or a deadline passes — never a fixed sleep.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let sessions = 0;

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class Tmux {
  readonly socket = `ovl-e2e-${process.pid}-${++sessions}`;

  constructor(readonly columns = 120, readonly rows = 40) {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Run ovl-tui (or another `script`) with `args` in a new session; the pane prints EXIT=<code> when it ends. */
  start(args: string[], env: Record<string, string> = {}, script = CLI): void {
    const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
    // ovl-tui itself runs through its shebang, as users start it; other scripts through node.
    const program = script === CLI ? quote(script) : `${quote(process.execPath)} ${quote(script)}`;
    const cmd = `env ${vars} ${program} ${args.map(quote).join(' ')}; echo "EXIT=$?"; sleep 600`;
    this.tmux('new-session', '-d', '-x', String(this.columns), '-y', String(this.rows), cmd);
  }

  /** Typed text, sent literally. */
  type(text: string): void {
    this.tmux('send-keys', '-t', '0', '-l', text);
  }

  /** tmux key names: 'Enter', 'Escape', 'Down', 'q'. */
  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', '0', ...keys);
  }

  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', '0', '-x', String(columns), '-y', String(rows));
  }

  /** The screen as text (with `escapes`, colours and attributes as SGR sequences). */
  capture(escapes = false): string {
    return this.tmux('capture-pane', '-p', '-t', '0', ...(escapes ? ['-e'] : []));
  }

  /** Poll the screen until `check` holds; returns the screen. */
  async waitFor(check: string | RegExp | ((screen: string) => boolean), timeoutMs = 10_000): Promise<string> {
    const ok = typeof check === 'function' ? check : (s: string) => (typeof check === 'string' ? s.includes(check) : check.test(s));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture();
      if (ok(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`screen never matched ${String(check)} within ${timeoutMs} ms:\n${screen}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The pid of ovl-tui (the child of the pane's shell). */
  appPid(): number {
    const shell = this.tmux('display-message', '-p', '-t', '0', '#{pane_pid}').trim();
    const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/);
    return Number(children[0]);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }
}

/** Overlay mount points in this mount namespace. */
export function overlayTargets(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(' - overlay '))
    .map((l) => l.split(' ')[4]!);
}
