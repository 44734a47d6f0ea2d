/** An error as the command line says it: one message (core's, or prefixed `ovl-tui:`) and core's hint on the next line; never a stack trace. */
export function explain(e: unknown): string {
  if (!(e instanceof Error)) return `ovl-tui: ${String(e)}`;
  const hint = (e as { hint?: string }).hint;
  const msg = e.message.startsWith('ovl') ? e.message : `ovl-tui: ${e.message}`;
  return hint ? `${msg}\n  hint: ${inCommandLineWords(hint)}` : msg;
}

/**
 * Core's hints speak its API (listContainers(), engine: 'docker', roots); on the command line
 * the same advice is a flag or an environment variable.
 */
function inCommandLineWords(hint: string): string {
  return hint
    .replace(/list them with list(Containers|Images)\(\)/, 'ovl-tui --list shows them')
    .replace(/\(engine: '(\w+)'\)/, '(--engine $1)')
    .replace(/\bin roots\b/, 'with OVL_TUI_PODMAN_ROOT, OVL_TUI_DOCKER_ROOT or OVL_TUI_CONTAINERD_ROOT');
}
