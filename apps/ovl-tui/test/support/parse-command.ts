// parseCommand's answer as a test wants it: the command (or a throw), the error (or a throw).
import { parseCommand } from '../../src/cli/args.js';

export const ok = (argv: string[]) => {
  const r = parseCommand(argv);
  if (!r.ok) throw new Error(r.error);
  return r.command;
};

export const error = (argv: string[]) => {
  const r = parseCommand(argv);
  if (r.ok) throw new Error(`accepted ${argv.join(' ')}`);
  return r.error;
};
