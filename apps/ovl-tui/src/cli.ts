#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=4
/**
 * The `ovl-tui` command: parse the arguments, refuse early what cannot work (bad arguments:
 * usage and exit 2; mounting without root: exit 1), then print JSON or run the app.
 * Errors reach the user as one message and core's hint, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { needsRoot, parseCommand } from './cli/args.js';
import { checkPaths } from './cli/check-paths.js';
import { offerCleanup, runCleanup } from './cli/cleanup.js';
import { exportJson } from './cli/json-export.js';
import { explain } from './cli/explain.js';
import { runList } from './cli/run-list.js';
import { runPicker } from './cli/run-picker.js';
import { USAGE } from './cli/usage.js';
import { coreCatalog } from './service/core-catalog.js';
import { engineOptionsFromEnv } from './service/engine-options.js';
import { openSession } from './service/open-session.js';
import { prepareRuntime } from './terminal/runtime.js';

function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv);
  if (!parsed.ok) {
    process.stderr.write(`ovl-tui: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  const command = parsed.command;
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.kind === 'version') {
    process.stdout.write(`ovl-tui ${version()}\n`);
    return 0;
  }
  // Containers and images: where the engines' storage is (the environment may say), then the
  // two commands that open no session of their own, --list and the picker.
  let engines;
  try {
    engines = engineOptionsFromEnv();
  } catch (e) {
    process.stderr.write(`${explain(e)}\n`);
    return 1;
  }
  if (command.kind === 'list') return runList(coreCatalog(engines), command.json, process.stdout, process.stderr);
  if (command.kind === 'picker') return runPicker(coreCatalog(engines));

  if (needsRoot(command) && process.getuid?.() !== 0) {
    if (command.kind === 'cleanup') {
      process.stderr.write('ovl-tui: --cleanup unmounts, which needs root (run it with sudo).\n');
      return 1;
    }
    process.stderr.write('ovl-tui: mounting an overlay needs root (run it with sudo); the offline view works without it: ovl-tui --lower DIR [--upper DIR].\n');
    return 1;
  }
  if (command.kind === 'cleanup') return runCleanup();
  const json = command.kind !== 'demo' && command.json;
  const terminal = process.stdout.isTTY && process.stdin.isTTY;
  // The UI (Ink, React: most of the code) is read and compiled while the paths are checked and
  // the overlay is opened; --json never loads it. Ink must load after prepareRuntime (it reads
  // the environment).
  if (!json && terminal) prepareRuntime();
  const ui = json || !terminal ? undefined : import('./run-app.js');
  ui?.catch(() => undefined); // a failed load is reported where it is awaited, not as unhandled
  const problem = await checkPaths(command);
  if (problem) {
    process.stderr.write(`${problem.message}\n  hint: ${problem.hint}\n`);
    return 1;
  }
  if (!json && !terminal) {
    process.stderr.write('ovl-tui: the app needs a terminal; for scripts use --json.\n');
    return 1;
  }
  await offerCleanup(!json).catch((e: unknown) => process.stderr.write(`${explain(e)}\n`));
  let service;
  try {
    service = await openSession(command, engines);
  } catch (e) {
    process.stderr.write(`${explain(e)}\n`);
    return 1;
  }
  if (json) {
    try {
      process.stdout.write(`${JSON.stringify(await exportJson(service), null, 2)}\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`${explain(e)}\n`);
      return 1;
    } finally {
      await service.close();
    }
  }
  const { runApp } = await ui!;
  const code = await runApp(service);
  // Everything is cleaned up by now; a handle left open somewhere must not keep a dead app alive.
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${explain(e)}\n`);
    process.exitCode = 1;
  },
);
