/**
 * One flow, two runners. Code that calls the addon is written once, as a generator that
 * yields native calls; `runSync` performs each call inline (the *Sync API) and
 * `runAsync` performs its *Async twin on the thread pool. Both forms thus share every
 * check, every cleanup and every error path (the idea behind gensync).
 *
 * Both runners also point error stacks at user code: sync errors are trimmed to the
 * public function, async ones get the stack of the call site, captured before the first
 * await (sharp's habit), since after a thread-pool hop the caller is no longer on the stack.
 */
import { binding, type NativeBinding } from '../binding.js';

type FunctionName = { [K in keyof NativeBinding]: NativeBinding[K] extends (...args: never[]) => unknown ? K : never }[keyof NativeBinding];
/** Calls a flow may yield: the sync names; runAsync swaps in `${name}Async` where it exists. */
export type CallName = Exclude<FunctionName, `${string}Async`>;

export interface NativeCall {
  name: CallName;
  args: unknown[];
}
export type Flow<T> = Generator<NativeCall, T, unknown>;

/** Yield one native call from a flow: `const probes = yield* call('openPaths', paths)`. */
export function* call<N extends CallName>(name: N, ...args: Parameters<NativeBinding[N]>): Generator<NativeCall, ReturnType<NativeBinding[N]>, unknown> {
  return (yield { name, args }) as ReturnType<NativeBinding[N]>;
}

type AnyFn = (...args: unknown[]) => unknown;

/** Run a flow on the calling thread. */
export function runSync<T>(flow: Flow<T>, publicFn: Function): T {
  const b = binding() as unknown as Record<string, AnyFn>;
  try {
    let step = flow.next();
    while (!step.done) {
      let value: unknown;
      try {
        value = b[step.value.name]!(...step.value.args);
      } catch (e) {
        step = flow.throw(e);
        continue;
      }
      step = flow.next(value);
    }
    return step.value;
  } catch (e) {
    if (e instanceof Error) Error.captureStackTrace(e, publicFn);
    throw e;
  }
}

/** Run a flow with every blocking call on the thread pool. */
export async function runAsync<T>(flow: Flow<T>, publicFn: Function): Promise<T> {
  const callSite: { stack?: string } = {};
  Error.captureStackTrace(callSite, publicFn);
  const b = binding() as unknown as Record<string, AnyFn>;
  try {
    let step = flow.next();
    while (!step.done) {
      const { name, args } = step.value;
      const asyncTwin = b[`${name}Async`];
      let value: unknown;
      try {
        value = asyncTwin ? await asyncTwin(...args) : b[name]!(...args);
      } catch (e) {
        step = flow.throw(e);
        continue;
      }
      step = flow.next(value);
    }
    return step.value;
  } catch (e) {
    if (e instanceof Error && callSite.stack !== undefined) {
      const frames = callSite.stack.slice(callSite.stack.indexOf('\n'));
      e.stack = `${e.name}: ${e.message}${frames}`;
    }
    throw e;
  }
}
