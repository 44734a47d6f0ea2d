/**
 * The services the app opened from a list (the picker, an image's layers), so every one of
 * them is closed — its watch stopped — when the user goes back, and all that are still open
 * when the app ends, whichever way it ends.
 */
import type { OverlayService } from './types.js';

export class OpenedServices {
  private readonly open = new Set<OverlayService>();

  add(service: OverlayService): OverlayService {
    this.open.add(service);
    return service;
  }

  async close(service: OverlayService): Promise<void> {
    if (!this.open.delete(service)) return;
    await service.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.open];
    this.open.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
