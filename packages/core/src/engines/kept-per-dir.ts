/**
 * What a listing keeps for the next one, per store dir: the few dirs read most recently
 * (a process lists one or two stores; tests list many, which must not grow it for ever).
 * Each keeper decides for itself what proves its kept values still true.
 */
export class KeptPerDir<T> {
  private readonly byDir = new Map<string, T>();

  constructor(private readonly maxDirs = 4) {}

  get(dir: string): T | undefined {
    return this.byDir.get(dir);
  }

  /** Nothing kept for `dir` any more. */
  forget(dir: string): void {
    this.byDir.delete(dir);
  }

  /** Keep `value` for `dir`, as the newest; past maxDirs, the oldest dir's goes. */
  keep(dir: string, value: T): void {
    this.byDir.delete(dir);
    this.byDir.set(dir, value);
    if (this.byDir.size > this.maxDirs) this.byDir.delete(this.byDir.keys().next().value!);
  }
}
