/** `ovl-tui` with no argument: the picker, full screen; scripts are pointed at --list --json. */
import type { Catalog } from '../service/types.js';
import { prepareRuntime } from '../terminal/runtime.js';

export async function runPicker(catalog: Catalog): Promise<number> {
  if (!(process.stdout.isTTY && process.stdin.isTTY)) {
    process.stderr.write('ovl-tui: the picker needs a terminal; for scripts use --list --json (or --json with a merged dir, --container or --image).\n');
    return 1;
  }
  prepareRuntime();
  const { runApp } = await import('../run-app.js');
  // As for any session: everything is cleaned up by now, and a stray handle must not keep a dead app alive.
  process.exit(await runApp({ catalog }));
}
