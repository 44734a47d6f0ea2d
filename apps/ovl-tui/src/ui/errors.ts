/** One line for an error on the status bar: core's message plus its hint when it has one. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const hint = (e as { hint?: unknown }).hint;
  return typeof hint === 'string' && hint !== '' ? `${e.message} (${hint})` : e.message;
}
