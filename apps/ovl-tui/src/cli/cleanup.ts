/**
 * Mounts a killed ovl-tui left behind (service/mount-records.ts): `ovl-tui --cleanup` undoes
 * them without a terminal, and any other start offers to, on stderr before the UI takes the
 * screen — the way an editor asks about a swap file before it opens — so the answer is typed
 * in the plain terminal and nothing of the app is drawn yet.
 */
import { createInterface } from 'node:readline/promises';
import { cleanUpLeftover, describeLeftover, findLeftovers, type Leftover } from '../service/mount-records.js';

interface Streams {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

const reason = (e: unknown) => {
  const hint = (e as { hint?: unknown }).hint;
  return `${e instanceof Error ? e.message : String(e)}${typeof hint === 'string' ? `\n  hint: ${hint}` : ''}`;
};

/** Clean up every leftover; 0 when all went (or there were none), 1 when one could not be undone. */
export async function runCleanup(io: Streams = { out: process.stdout, err: process.stderr }, leftovers?: Leftover[]): Promise<number> {
  const found = leftovers ?? (await findLeftovers());
  if (found.length === 0) {
    io.out.write('ovl-tui: nothing to clean up: no mount left by an ovl-tui that was killed.\n');
    return 0;
  }
  let failed = 0;
  for (const l of found) {
    try {
      await cleanUpLeftover(l);
      io.out.write(`ovl-tui: unmounted ${describeLeftover(l)}; record removed.\n`);
    } catch (e) {
      failed++;
      io.err.write(`ovl-tui: could not clean up ${describeLeftover(l)}: ${reason(e)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

/**
 * At the start of a session: say what a killed ovl-tui left mounted and, in a terminal with
 * root, ask whether to clean it up (Enter = yes). Without a terminal only the hint is printed.
 */
export async function offerCleanup(interactive: boolean): Promise<void> {
  const found = await findLeftovers();
  if (found.length === 0) return;
  const err = process.stderr;
  err.write(`ovl-tui: ${found.length === 1 ? 'an overlay is' : `${found.length} overlays are`} still mounted by an ovl-tui that was killed:\n`);
  for (const l of found) err.write(`  ${describeLeftover(l)}\n`);
  if (!interactive || process.getuid?.() !== 0) {
    err.write('  run `ovl-tui --cleanup` (as root) to unmount and forget them.\n');
    return;
  }
  const rl = createInterface({ input: process.stdin, output: err });
  const answer = (await rl.question('Unmount and forget them now? [Y/n] ')).trim().toLowerCase();
  rl.close();
  if (answer === '' || answer === 'y' || answer === 'yes') await runCleanup({ out: err, err }, found);
  else err.write('  left as they are; `ovl-tui --cleanup` does it later.\n');
}
