/**
 * An image's layers (dive's layer list): index (0 = base), size and the command that made
 * each; the first row is the whole image merged. Enter opens the selected layer as its own
 * view (that layer as the upper over the layers below it), showing only what it added,
 * changed and deleted — with the tree's preview and diff. The side pane sums the layer up.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { Box, Text } from 'ink';
import { wrapLines } from '../lib/columns.js';
import { shortCreatedBy } from '../lib/created-by.js';
import { clip, formatSize } from '../lib/format.js';
import type { ListState } from '../state/list.js';
import type { InputGate } from '../terminal/input-gate.js';
import type { Change, ImageLayers, OverlayService } from '../service/types.js';
import { errorText } from './errors.js';
import { Header, headerHeight } from './Header.js';
import { ListScreen, type ListRow } from './ListScreen.js';
import { afterRest, type PreviewScheduler } from './use-pane-content.js';
import type { Size } from './use-terminal-size.js';

export interface LayerListProps {
  service: OverlayService & { image: ImageLayers };
  size: Size;
  gate: InputGate;
  /** 'merged' for the whole image, else the layer's index. */
  onOpen(which: 'merged' | number): void;
  onBack?: (() => void) | undefined;
  onQuit(): void;
  message?: { text: string; error: boolean } | undefined;
  saved?: ListState | undefined;
  onSave?: ((s: ListState) => void) | undefined;
  /** When a layer's changes are counted (default: once the cursor rests on it). */
  schedule?: PreviewScheduler;
}

export function layerRows(layers: ImageLayers, total: number): ListRow[] {
  return [
    { key: 'merged', text: `all  ${formatSize(total).padStart(6)}  every layer merged: the image as a container starts from it` },
    ...layers.rows.map((l) => ({ key: `layer:${l.index}`, text: `${String(l.index).padStart(3)}  ${formatSize(l.size).padStart(6)}  ${shortCreatedBy(l.createdBy)}` })),
  ];
}

function counts(changes: Change[]): string {
  const n = (k: Change['kind']) => changes.filter((c) => c.kind === k).length;
  return `${n('A')} added, ${n('C')} changed, ${n('D')} deleted`;
}

function LayerDetails({ layers, index, height, width, schedule }: { layers: ImageLayers; index: number | undefined; height: number; width: number; schedule: PreviewScheduler }) {
  const [summary, setSummary] = useState<{ index: number; text: string; error: boolean } | undefined>(undefined);
  useEffect(() => {
    if (index === undefined) return undefined;
    let live = true;
    const cancel = schedule(`layer:${index}`, () => {
      layers.changes(index).then(
        (c) => live && setSummary({ index, text: counts(c), error: false }),
        (e: unknown) => live && setSummary({ index, text: errorText(e), error: true }),
      );
    });
    return () => {
      live = false;
      cancel();
    };
  }, [layers, index, schedule]);
  const layer = index === undefined ? undefined : layers.rows[index];
  if (!layer) return <Text bold>{clip('the image, every layer merged: Enter opens it', width)}</Text>;
  const said = summary?.index === index ? summary : undefined;
  const lines = [
    `id ${layer.id.slice(0, 24)}`,
    `${formatSize(layer.size)}${layer.created !== undefined ? `  created ${layer.created}` : ''}`,
    said ? said.text : 'counting what it changed…',
    '',
    ...wrapLines(layer.createdBy ?? '(the engine recorded no command for this layer)', width, Math.max(1, height - 5)),
  ];
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">
        {clip(`layer ${layer.index}${layer.index === 0 ? ' (base)' : ''}`, width)}
      </Text>
      {lines.slice(0, height - 1).map((l, i) => (
        <Text key={i} wrap="truncate" dimColor={i === 2 && !said} color={i === 2 && said?.error ? 'red' : undefined}>
          {clip(l, width)}
        </Text>
      ))}
    </Box>
  );
}

export function LayerList({ service, size, gate, onOpen, onBack, onQuit, message, saved, onSave, schedule = afterRest }: LayerListProps) {
  const info = service.describe();
  const layers = service.image;
  const total = layers.rows.reduce((sum, l) => sum + l.size, 0);
  const rows = useMemo(() => layerRows(layers, total), [layers, total]);
  return (
    <ListScreen
      header={<Header info={info} width={size.columns} />}
      headerHeight={headerHeight(info)}
      title={`layers of ${info.subject?.name ?? 'the image'}, base first (Enter: what a layer changed)`}
      columns={`  #    SIZE  CREATED BY`}
      rows={rows}
      notes={[]}
      size={size}
      gate={gate}
      onOpen={(i) => onOpen(i === 0 ? 'merged' : i - 1)}
      onBack={onBack}
      onQuit={onQuit}
      message={message}
      saved={saved}
      onSave={onSave}
      side={(row, height, width) => <LayerDetails layers={layers} index={row === undefined || row === 0 ? undefined : row - 1} height={height} width={width} schedule={schedule} />}
    />
  );
}
