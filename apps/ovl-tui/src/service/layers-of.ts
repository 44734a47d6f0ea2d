/** The header's layer lines for a view: upper first (when there is one), then lower 0 downwards. */
import type { OverlayView } from '@ovl/core';
import type { HeaderInfo } from './types.js';

export function layersOf(view: OverlayView): HeaderInfo['layers'] {
  const { upper, lower } = view.layers;
  return [...(upper !== undefined ? [{ id: 'upper' as const, path: upper }] : []), ...lower.map((path, id) => ({ id, path }))];
}
