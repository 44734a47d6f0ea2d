/**
 * The one place that finds Ink's own files (its version, its internal Output module), for
 * the workarounds in this folder. Run from source (tests), they are found where `ink`
 * resolves to; in the bundle (dist/) scripts/build.mjs replaces this module with static
 * imports of the same files, so the workarounds patch the Ink copy inside the bundle and
 * the version is the bundled Ink's, known at build time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** <ink>/build, where `ink` resolves from here. */
function inkBuildDir(): string {
  return dirname(createRequire(import.meta.url).resolve('ink')); // <ink>/build/index.js
}

/** The version of the Ink the app renders with. */
export function inkVersion(): string {
  return (JSON.parse(readFileSync(join(inkBuildDir(), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Ink's build/output.js (not in Ink's exports), as the module Ink itself loads. */
export async function loadInkOutput(): Promise<{ default?: unknown }> {
  return (await import(pathToFileURL(join(inkBuildDir(), 'output.js')).href)) as { default?: unknown };
}

/** Ink's build/reconciler.js: the React reconciler Ink renders with (not in Ink's exports). */
export async function loadInkReconciler(): Promise<{ default?: unknown }> {
  return (await import(pathToFileURL(join(inkBuildDir(), 'reconciler.js')).href)) as { default?: unknown };
}
