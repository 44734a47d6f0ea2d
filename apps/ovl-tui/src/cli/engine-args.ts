/**
 * The command-line flags that name containers and images (--container, --image, --list,
 * --engine), parsed apart from the layer flags in args.ts. Pure.
 */
import { ALL_ENGINES } from '../service/engine-options.js';
import type { EngineName } from '../service/types.js';
import type { Command } from './args.js';

export const ENGINE_FLAGS = {
  container: { type: 'string' },
  image: { type: 'string' },
  list: { type: 'boolean' },
  engine: { type: 'string' },
} as const;

interface EngineFlagValues {
  container?: string;
  image?: string;
  list?: boolean;
  engine?: string;
}

type Result = { ok: true; command: Command } | { ok: false; error: string };

/**
 * The command the engine flags make, or undefined when none is given. `others` names the
 * other things on the command line (a merged dir, layer flags, --demo), which do not mix.
 */
export function parseEngineFlags(v: EngineFlagValues, json: boolean, others: string | undefined): Result | undefined {
  const given = [v.container !== undefined && '--container', v.image !== undefined && '--image', v.list === true && '--list'].filter((f): f is string => f !== false);
  if (given.length === 0) {
    return v.engine === undefined ? undefined : { ok: false, error: '--engine goes with --container or --image' };
  }
  if (given.length > 1) return { ok: false, error: `give one of ${given.join(', ')}, not both` };
  if (others !== undefined) return { ok: false, error: `${given[0]} does not go with ${others}` };
  if (v.list === true) {
    if (v.engine !== undefined) return { ok: false, error: '--engine goes with --container or --image (--list lists every engine)' };
    return { ok: true, command: { kind: 'list', json } };
  }
  const kind = v.container !== undefined ? 'container' : 'image';
  const ref = (v.container ?? v.image)!;
  if (ref === '') return { ok: false, error: `--${kind} is an empty string: give a name, an id or an id prefix` };
  if (v.engine !== undefined && !(ALL_ENGINES as readonly string[]).includes(v.engine)) {
    return { ok: false, error: `--engine '${v.engine}' is not one of ${ALL_ENGINES.join(', ')}` };
  }
  return { ok: true, command: { kind, ref, json, ...(v.engine !== undefined && { engine: v.engine as EngineName }) } };
}
