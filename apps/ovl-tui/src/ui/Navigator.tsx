/**
 * What is on screen: a stack of screens — the picker, an image's layer list, an overlay's
 * tree (App) — where Enter pushes and Esc/Backspace pops back to the list a view was opened
 * from, with that list's cursor and filter as they were. A service opened here is closed when
 * its screen is left (and by runApp, through `opened`, when the app ends).
 */
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { useApp, useStdin } from 'ink';
import type { ListState } from '../state/list.js';
import type { InputGate } from '../terminal/input-gate.js';
import type { OpenedServices } from '../service/opened.js';
import type { Catalog, CatalogListing, ImageLayers, OverlayService, SessionRequest } from '../service/types.js';
import { App } from './App.js';
import { errorText } from './errors.js';
import { LayerList } from './LayerList.js';
import { Picker } from './Picker.js';
import type { OpenEditor } from './use-editor.js';
import type { PreviewScheduler } from './use-pane-content.js';
import { useTerminalSize, type Size } from './use-terminal-size.js';

/** What the app starts on: the picker, or one service (an overlay, a container, an image). */
export type Start = { catalog: Catalog } | { service: OverlayService };

type Screen =
  | { kind: 'picker'; id: number }
  | { kind: 'layers'; id: number; service: OverlayService & { image: ImageLayers } }
  | { kind: 'view'; id: number; service: OverlayService; changesOnly: boolean };

export interface NavigatorProps {
  start: Start;
  opened: OpenedServices;
  openEditor: OpenEditor;
  gate: InputGate;
  size?: Size;
  schedulePreview?: PreviewScheduler;
}

let screens = 0;

/** The status line's words for what is being opened. */
function describeRequest(r: SessionRequest): string {
  if (r.kind === 'attach') return r.merged;
  if (r.kind === 'container' || r.kind === 'image') return `${r.kind} ${r.ref.slice(0, 12)}`;
  return r.kind;
}

function screenFor(service: OverlayService, changesOnly = false): Screen {
  const image = service.image;
  return image ? { kind: 'layers', id: ++screens, service: service as OverlayService & { image: ImageLayers } } : { kind: 'view', id: ++screens, service, changesOnly };
}

export function Navigator({ start, opened, openEditor, gate, size: fixedSize, schedulePreview }: NavigatorProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const [stack, setStack] = useState<Screen[]>(() => ['catalog' in start ? { kind: 'picker', id: ++screens } : screenFor(start.service)]);
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const saved = useRef(new Map<number, ListState>());
  const listing = useRef<CatalogListing | undefined>(undefined);
  const listed = useCallback((l: CatalogListing) => {
    listing.current = l;
  }, []);
  const busy = useRef(false);

  // Raw mode held for the whole app, so switching screens (each of which asks for it) never
  // drops the terminal back to cooked mode in between.
  const { setRawMode, isRawModeSupported } = useStdin();
  useEffect(() => {
    if (isRawModeSupported) setRawMode(true);
    return () => {
      if (isRawModeSupported) setRawMode(false);
    };
  }, [setRawMode, isRawModeSupported]);

  const push = useCallback(
    (opening: Promise<OverlayService>, what: string, changesOnly = false) => {
      if (busy.current) return;
      busy.current = true;
      setMessage({ text: `opening ${what}…`, error: false });
      opening.then(
        (service) => {
          busy.current = false;
          setMessage(undefined);
          setStack((s) => [...s, screenFor(opened.add(service), changesOnly)]);
        },
        (e: unknown) => {
          busy.current = false;
          setMessage({ text: errorText(e), error: true });
        },
      );
    },
    [opened],
  );

  const back = useCallback(() => {
    setMessage(undefined);
    setStack((s) => {
      if (s.length < 2) return s;
      const top = s.at(-1)!;
      // The image's merged view shares the layer list's service: only a service opened for this screen is closed.
      if (top.kind !== 'picker' && !s.slice(0, -1).some((below) => below.kind !== 'picker' && below.service === top.service)) {
        void opened.close(top.service).catch(() => undefined);
      }
      saved.current.delete(top.id);
      return s.slice(0, -1);
    });
  }, [opened]);

  const top = stack.at(-1)!;
  const canGoBack = stack.length > 1 ? back : undefined;
  const save = useCallback(
    (s: ListState) => {
      saved.current.set(top.id, s);
    },
    [top.id],
  );

  if (top.kind === 'picker') {
    const catalog = (start as { catalog: Catalog }).catalog;
    const open = (request: SessionRequest) => push(catalog.open(request), describeRequest(request));
    return <Picker key={top.id} catalog={catalog} size={size} gate={gate} onOpen={open} onQuit={exit} message={message} saved={saved.current.get(top.id)} onSave={save} cached={listing.current} onListed={listed} />;
  }
  if (top.kind === 'layers') {
    const service = top.service;
    const open = (which: 'merged' | number) => {
      if (which === 'merged') setStack((s) => [...s, { kind: 'view', id: ++screens, service, changesOnly: false }]);
      else push(service.image.open(which), `layer ${which}`, true);
    };
    return <LayerList key={top.id} service={service} size={size} gate={gate} onOpen={open} onBack={canGoBack} onQuit={exit} message={message} saved={saved.current.get(top.id)} onSave={save} schedule={schedulePreview} />;
  }
  return <App key={top.id} service={top.service} openEditor={openEditor} gate={gate} size={fixedSize} schedulePreview={schedulePreview} onBack={canGoBack} changesOnly={top.changesOnly} />;
}
