/**
 * The one version check for ovl-tui's Ink workarounds (this folder). They lean on Ink's
 * internals — its Output class, its stdin event emitter — as Ink 6.8 has them; with any
 * other Ink they stand down (the frame cache is not installed) or say plainly what is
 * missing, and ink-compat.test.ts fails so that an upgrade is looked at, not shipped blind.
 */
import { inkVersion } from './ink-files.js';

export { inkVersion };

/** The Ink minor these workarounds were written for and measured on. */
export const INK_WRITTEN_FOR = '6.8';

/** Whether the workarounds fit the Ink in use. */
export const inkFits: boolean = inkVersion().startsWith(`${INK_WRITTEN_FOR}.`);
