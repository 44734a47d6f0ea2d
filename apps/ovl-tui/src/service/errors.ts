/**
 * Refusals of ovl-tui's own (a write in a read-only view, a revert it cannot do). Core owns
 * the ERR_OVL_* codes; the app's are ERR_TUI_*, with the same `hint` the status bar
 * shows for core's errors.
 */
export class AppRefusal extends Error {
  override name = 'AppRefusal';
  readonly code: `ERR_TUI_${string}`;
  readonly path?: string;
  readonly hint?: string;

  constructor(code: `ERR_TUI_${string}`, message: string, details: { path?: string; hint?: string } = {}) {
    super(message);
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.hint !== undefined) this.hint = details.hint;
  }
}
