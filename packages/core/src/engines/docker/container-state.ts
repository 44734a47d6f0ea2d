/** A Docker container's state word from config.v2.json's State, as `docker ps` says it (moby container/state.go StateString). Pure. */
export function dockerStateWord(state: Record<string, unknown> | undefined): string {
  if (state === undefined) return 'unknown';
  if (state.Running === true) {
    if (state.Paused === true) return 'paused';
    if (state.Restarting === true) return 'restarting';
    return 'running';
  }
  if (state.RemovalInProgress === true) return 'removing';
  if (state.Dead === true) return 'dead';
  // Go's zero time: never started.
  if (typeof state.StartedAt !== 'string' || state.StartedAt.startsWith('0001-01-01')) return 'created';
  return 'exited';
}
