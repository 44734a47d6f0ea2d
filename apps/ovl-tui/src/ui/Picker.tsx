/**
 * `ovl-tui` with no argument: the overlays mounted here and every engine's containers and
 * images in one list, filtered as you type after `/`; Enter opens one. What could not be read
 * (an engine's storage, as a user) is said under the list, and the rest is still offered.
 */
import React, { useEffect, useMemo, useState } from 'react';
import { Text } from 'ink';
import { PICKER_HEADINGS, pickerRows } from '../state/picker-rows.js';
import type { ListState } from '../state/list.js';
import type { InputGate } from '../terminal/input-gate.js';
import type { Catalog, CatalogListing, SessionRequest } from '../service/types.js';
import { errorText } from './errors.js';
import { ListScreen } from './ListScreen.js';
import type { PaneLine } from './panel-content.js';
import { useTheme } from './theme.js';
import type { Size } from './use-terminal-size.js';

export interface PickerProps {
  catalog: Catalog;
  size: Size;
  gate: InputGate;
  onOpen(request: SessionRequest): void;
  onQuit(): void;
  message?: { text: string; error: boolean } | undefined;
  saved?: ListState | undefined;
  onSave?: ((s: ListState) => void) | undefined;
  /** The listing last shown, shown again at once while it is read afresh (coming back from a view). */
  cached?: CatalogListing | undefined;
  onListed?: ((listing: CatalogListing) => void) | undefined;
}

const EMPTY_NOTES: PaneLine[] = [
  { text: 'Nothing to open: no overlay is mounted here, and no engine (podman, Docker, containerd) has containers or images.', dim: true },
  { text: 'Try ovl-tui --demo, or open layer dirs: ovl-tui --lower DIR [--upper DIR].', dim: true },
];

function notesFor(listing: CatalogListing | undefined, failure: unknown, count: number): PaneLine[] {
  if (failure !== undefined) return [{ text: `could not list: ${errorText(failure)}`, color: 'red' }];
  if (listing === undefined) return [{ text: 'reading the mount table and the engines’ storage…', dim: true }];
  const problems = listing.problems.map((p) => ({ text: `${p.source}: ${errorText(p.error)}`, color: 'red' }));
  return count === 0 && problems.length === 0 ? EMPTY_NOTES : problems;
}

export function Picker({ catalog, size, gate, onOpen, onQuit, message, saved, onSave, cached, onListed }: PickerProps) {
  const theme = useTheme();
  const [listing, setListing] = useState<CatalogListing | undefined>(cached);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    catalog.list().then(
      (l) => {
        if (!live) return;
        setListing(l);
        setFailure(undefined);
        onListed?.(l);
      },
      (e: unknown) => live && setFailure(e ?? new Error('unknown error')),
    );
    return () => {
      live = false;
    };
  }, [catalog, generation]);

  // Rows are drawn after '> ' or '  ': two columns less than the screen.
  const width = size.columns - 2;
  const { columns, rows } = useMemo(() => (listing ? pickerRows(listing, width) : { columns: PICKER_HEADINGS.join('  '), rows: [] }), [listing, width]);
  const notes = notesFor(listing, failure, rows.length);
  return (
    <ListScreen
      header={
        <Text bold color={theme.color('cyan')} wrap="truncate">
          ovl-tui  pick an overlay, a container or an image
        </Text>
      }
      headerHeight={1}
      title="mounted overlays, containers and images"
      columns={columns}
      rows={rows}
      notes={notes}
      size={size}
      gate={gate}
      onOpen={(i) => onOpen(rows[i]!.request)}
      onQuit={onQuit}
      onRefresh={() => setGeneration((g) => g + 1)}
      message={message}
      saved={saved}
      onSave={onSave}
    />
  );
}
