/**
 * Command-line parsing for ovl-tui. Pure: argv in, a command or a usage error out, so every
 * combination is unit-tested without starting anything.
 */
import { parseArgs } from 'node:util';
import type { SessionRequest } from '../service/types.js';
import { ENGINE_FLAGS, parseEngineFlags } from './engine-args.js';

interface Common {
  /** Print the tree and the changes as JSON instead of starting the UI. */
  json: boolean;
}

/** What the command line asks for: help, the version, or a session (service/types.ts) to open. */
export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'cleanup' }
  | Extract<SessionRequest, { kind: 'demo' }>
  | (Exclude<SessionRequest, { kind: 'demo' }> & Common)
  /** No argument: pick an overlay, a container or an image from a list. */
  | { kind: 'picker' }
  /** Every container and image of the engines found (--list). */
  | ({ kind: 'list' } & Common);

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string };

const options = {
  ...ENGINE_FLAGS,
  lower: { type: 'string', multiple: true },
  upper: { type: 'string' },
  work: { type: 'string' },
  mount: { type: 'string' },
  keep: { type: 'boolean' },
  demo: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  cleanup: { type: 'boolean' },
} as const;

const fail = (error: string): ParseResult => ({ ok: false, error });

/** Parse argv (without node and the script). Never throws. */
export function parseCommand(argv: string[]): ParseResult {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs' messages name the option and say what is wrong; its hints mention '--', not ours.
    return fail((e as Error).message.split('. To specify')[0]!.trim());
  }
  const v = parsed.values;
  const positionals = parsed.positionals;
  if (v.help) return { ok: true, command: { kind: 'help' } };
  if (v.version) return { ok: true, command: { kind: 'version' } };
  const json = v.json === true;
  if (v.cleanup) {
    if (argv.length > 1) return fail('--cleanup takes no other arguments');
    return { ok: true, command: { kind: 'cleanup' } };
  }
  const lower = v.lower ?? [];
  const layerFlags = lower.length > 0 || v.upper !== undefined || v.work !== undefined || v.mount !== undefined;
  const engineCommand = parseEngineFlags(v, json, v.demo ? '--demo' : positionals.length > 0 ? 'a merged dir' : layerFlags || v.keep ? 'layer flags' : undefined);
  if (engineCommand) return engineCommand;

  if (v.demo) {
    if (positionals.length > 0 || layerFlags || v.keep || json) return fail('--demo takes no other arguments');
    return { ok: true, command: { kind: 'demo' } };
  }
  if (positionals.length > 1) return fail(`one merged dir at most (got ${positionals.length})`);
  if (positionals.length === 1) {
    if (layerFlags || v.keep) return fail('give either a merged dir or layer flags (--lower ...), not both');
    if (positionals[0] === '') return fail('the merged dir is an empty string');
    return { ok: true, command: { kind: 'attach', merged: positionals[0]!, json } };
  }
  if (!layerFlags) {
    if (json) return fail('--json needs something to print: a merged dir, layer flags (--lower ...), --container, --image or --list');
    if (v.keep) return fail('--keep is only used with --mount');
    return { ok: true, command: { kind: 'picker' } };
  }
  if ([...lower, v.upper, v.work, v.mount].some((p) => p === '')) return fail('a layer path is an empty string');

  if (v.mount !== undefined) {
    if (lower.length === 0) return fail('--mount needs at least one --lower');
    if ((v.upper === undefined) !== (v.work === undefined)) return fail('--upper and --work go together when mounting (or neither, for a read-only overlay)');
    return {
      ok: true,
      command: { kind: 'mount', lower, target: v.mount, keep: v.keep === true, json, ...(v.upper !== undefined && { upper: v.upper }), ...(v.work !== undefined && { work: v.work }) },
    };
  }
  if (v.work !== undefined) return fail('--work is only used with --mount');
  if (v.keep) return fail('--keep is only used with --mount');
  return { ok: true, command: { kind: 'offline', lower, json, ...(v.upper !== undefined && { upper: v.upper }) } };
}

/** True for commands that mount (and so need root). */
export function needsRoot(command: Command): boolean {
  return command.kind === 'demo' || command.kind === 'mount' || command.kind === 'cleanup';
}
