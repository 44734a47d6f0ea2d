/**
 * The one version check for ovl-tui's Ink workarounds (this folder). They lean on Ink's
 * internals — its Output class, its stdin event emitter — as Ink 6.8 has them; with any
 * other Ink they stand down (the frame cache is not installed) or say plainly what is
 * missing, and ink-compat.test.ts fails so that an upgrade is looked at, not shipped blind.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Ink minor these workarounds were written for and measured on. */
export const INK_WRITTEN_FOR = '6.8';

/** The version of the Ink that `ink` resolves to from here (the one the app renders with). */
export function inkVersion(): string {
  const entry = createRequire(import.meta.url).resolve('ink'); // <ink>/build/index.js
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Whether the workarounds fit the Ink in use. */
export const inkFits: boolean = inkVersion().startsWith(`${INK_WRITTEN_FOR}.`);
