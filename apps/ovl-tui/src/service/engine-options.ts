/**
 * Where ovl-tui looks for containers and images: every engine in its default storage, unless
 * the environment says otherwise. Tests point the readers at a store of their own (podman
 * --root); unusual installs can too. Each root is a whole variable's value, never split, so
 * any path works.
 *
 *   OVL_TUI_ENGINES=podman,docker     only these engines (names: podman, docker, containerd)
 *   OVL_TUI_PODMAN_ROOT=DIR           podman's graphroot (podman --root DIR)
 *   OVL_TUI_DOCKER_ROOT=DIR           Docker's data-root
 *   OVL_TUI_CONTAINERD_ROOT=DIR       containerd's root
 */
import type { EngineName, EngineOptions } from '@ovl/core';

export const ALL_ENGINES: readonly EngineName[] = ['podman', 'docker', 'containerd'];

const ROOT_VARS: Record<EngineName, string> = { podman: 'OVL_TUI_PODMAN_ROOT', docker: 'OVL_TUI_DOCKER_ROOT', containerd: 'OVL_TUI_CONTAINERD_ROOT' };

/** A setting the environment gives that cannot be used: said before anything starts. */
export class EngineEnvError extends Error {
  override name = 'EngineEnvError';
  readonly hint = `Engine names are ${ALL_ENGINES.join(', ')}, separated by commas.`;
}

/** The engine options the environment asks for. @throws EngineEnvError for an unknown engine name. */
export function engineOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineOptions & { engines: readonly EngineName[] } {
  const listed = env.OVL_TUI_ENGINES?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of listed ?? []) {
    if (!(ALL_ENGINES as readonly string[]).includes(name)) throw new EngineEnvError(`ovl-tui: OVL_TUI_ENGINES names an unknown engine '${name}'`);
  }
  const engines = listed && listed.length > 0 ? (listed as EngineName[]) : ALL_ENGINES;
  const roots: Partial<Record<EngineName, string>> = {};
  for (const e of ALL_ENGINES) {
    const root = env[ROOT_VARS[e]];
    if (root !== undefined && root !== '') roots[e] = root;
  }
  return { engines, ...(Object.keys(roots).length > 0 && { roots }) };
}
