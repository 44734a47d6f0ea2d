/**
 * Every key binding of the app, as named commands in one table: the input hook resolves
 * keys through it, the status bar and the `?` screen print it. A key sequence is tokens
 * separated by spaces ('g g'). Every command has at least one binding without Ctrl
 * (Ctrl chords clash with terminals and tmux).
 */

export type CommandId =
  | 'nav.down' | 'nav.up' | 'nav.open' | 'nav.close' | 'nav.toggle' | 'nav.top' | 'nav.bottom' | 'nav.pageDown' | 'nav.pageUp'
  | 'search.start' | 'search.next' | 'search.prev' | 'filter.start'
  | 'view.preview' | 'view.diff' | 'view.changesOnly' | 'view.ghosts' | 'view.hidden' | 'sort.name' | 'sort.size'
  | 'file.edit' | 'file.createFile' | 'file.createDir' | 'file.rename' | 'file.delete' | 'file.revert'
  | 'app.refresh' | 'app.help' | 'app.back' | 'app.quit';

export interface Binding {
  id: CommandId;
  keys: string[];
  help: string;
  /** Shown in the status bar (the rest under `?`). */
  main?: boolean;
}

export const KEYMAP: readonly Binding[] = [
  { id: 'nav.down', keys: ['j', '<down>'], help: 'move down', main: true },
  { id: 'nav.up', keys: ['k', '<up>'], help: 'move up', main: true },
  { id: 'nav.open', keys: ['l', '<right>'], help: 'open dir (again: go into it) / preview file' },
  { id: 'nav.close', keys: ['h', '<left>'], help: 'close dir / go to parent' },
  { id: 'nav.toggle', keys: ['<enter>'], help: 'open or close dir / preview file' },
  { id: 'nav.top', keys: ['g g', '<home>'], help: 'first row' },
  { id: 'nav.bottom', keys: ['G', '<end>'], help: 'last row' },
  { id: 'nav.pageDown', keys: ['<pgdn>', 'C-d'], help: 'page down' },
  { id: 'nav.pageUp', keys: ['<pgup>', 'C-u'], help: 'page up' },
  { id: 'search.start', keys: ['/'], help: 'search (jumps to matches)', main: true },
  { id: 'search.next', keys: ['n'], help: 'next match' },
  { id: 'search.prev', keys: ['N'], help: 'previous match' },
  { id: 'filter.start', keys: ['f'], help: 'filter names' },
  { id: 'view.preview', keys: ['i', '<f3>'], help: 'preview the file' },
  { id: 'view.diff', keys: ['d'], help: 'diff against the lower version', main: true },
  { id: 'view.changesOnly', keys: ['c'], help: 'changes only', main: true },
  { id: 'view.ghosts', keys: ['w'], help: 'whiteout ghosts on/off' },
  { id: 'view.hidden', keys: ['.'], help: 'hidden files on/off' },
  { id: 'sort.name', keys: ['s n'], help: 'sort by name' },
  { id: 'sort.size', keys: ['s s'], help: 'sort by size, biggest first' },
  { id: 'file.edit', keys: ['e', '<f4>'], help: 'edit in $VISUAL/$EDITOR', main: true },
  { id: 'file.createFile', keys: ['a'], help: 'new file' },
  { id: 'file.createDir', keys: ['A', '<f7>'], help: 'new dir' },
  { id: 'file.rename', keys: ['r', '<f6>'], help: 'rename' },
  { id: 'file.delete', keys: ['x', '<delete>', '<f8>'], help: 'delete (leaves a whiteout)' },
  { id: 'file.revert', keys: ['R'], help: 'revert to the lower version (mounts ovl-tui made)' },
  { id: 'app.refresh', keys: ['<f5>', 'C-r', 'C-l'], help: 'reload and repaint' },
  { id: 'app.help', keys: ['?', '<f1>'], help: 'all keys', main: true },
  { id: 'app.back', keys: ['<esc>', '<backspace>'], help: 'back to the list it was opened from (picker, image layers)' },
  { id: 'app.quit', keys: ['q', 'C-c'], help: 'quit', main: true },
];

const byKey = new Map<string, CommandId>();
const prefixes = new Set<string>();
for (const b of KEYMAP) {
  for (const k of b.keys) {
    byKey.set(k, b.id);
    const tokens = k.split(' ');
    for (let i = 1; i < tokens.length; i++) prefixes.add(tokens.slice(0, i).join(' '));
  }
}

export interface Resolution {
  command?: CommandId;
  /** Tokens typed so far of an unfinished sequence ('g' before 'g g'). */
  pending: string[];
}

/** The command a key completes, given the tokens pending before it. */
export function resolveKey(pending: readonly string[], token: string): Resolution {
  const seq = [...pending, token].join(' ');
  const command = byKey.get(seq);
  if (command) return { command, pending: [] };
  if (prefixes.has(seq)) return { pending: [...pending, token] };
  // A broken sequence: the last key starts afresh ('g j' moves down).
  return pending.length > 0 ? resolveKey([], token) : { pending: [] };
}

/** 'g g' → 'gg', '<down>' → '↓', 'C-r' → 'Ctrl-r', for help text. */
export function keyLabel(key: string): string {
  const names: Record<string, string> = { '<down>': '↓', '<up>': '↑', '<left>': '←', '<right>': '→', '<enter>': 'Enter', '<pgdn>': 'PgDn', '<pgup>': 'PgUp', '<home>': 'Home', '<end>': 'End', '<delete>': 'Del', '<esc>': 'Esc' };
  if (names[key]) return names[key]!;
  if (/^<f\d+>$/.test(key)) return key.slice(1, -1).toUpperCase();
  if (key.startsWith('C-')) return `Ctrl-${key.slice(2)}`;
  return key.replace(/ /g, '');
}
