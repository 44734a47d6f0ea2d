/** An error as the command line says it: one message (core's, or prefixed `ovl-tui:`) and core's hint on the next line; never a stack trace. */
export function explain(e: unknown): string {
  if (!(e instanceof Error)) return `ovl-tui: ${String(e)}`;
  const hint = (e as { hint?: string }).hint;
  const msg = e.message.startsWith('ovl') ? e.message : `ovl-tui: ${e.message}`;
  return hint ? `${msg}\n  hint: ${hint}` : msg;
}
