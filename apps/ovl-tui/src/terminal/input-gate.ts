/**
 * A switch in front of the app's key handling. While the terminal belongs to an editor it is
 * closed; on reopening, whatever was typed meanwhile is dropped: keys still buffered in the
 * stream now, and keys the kernel hands over in the next poll of the event loop (two
 * setImmediate turns: the first may run before that poll).
 */
export class InputGate {
  private open = true;
  private epoch = 0;

  accepting(): boolean {
    return this.open;
  }

  close(): void {
    this.open = false;
    this.epoch++;
  }

  /** Reopen after dropping typed-ahead input; `drain` empties the stream's own buffer. */
  reopen(drain: () => void = () => undefined): void {
    const epoch = this.epoch;
    drain();
    setImmediate(() =>
      setImmediate(() => {
        if (epoch === this.epoch) this.open = true;
      }),
    );
  }
}
