/**
 * From a parsed command to an OverlayService: attach to a mounted overlay, mount one (and
 * unmount it on close), open layer dirs offline, or build and mount the demo.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { mountOverlay, openOverlay, overlayMountAt as mountInfo, type EngineOptions, type OverlayMountInfo, type OverlayView } from '@ovl/core';
import { layersOf } from './layers-of.js';
import { openContainerSession, openImageSession } from './open-engine.js';
import { CoreService } from './core-service.js';
import { demoNotes, makeDemoDirs } from './demo.js';
import { forgetMount, recordMount } from './mount-records.js';
import type { HeaderInfo, OverlayService, SessionRequest } from './types.js';

function header(view: OverlayView, target: string, mode: HeaderInfo['mode'], info: OverlayMountInfo | undefined, owned: boolean): HeaderInfo {
  const writable = info !== undefined && info.upper !== undefined && !info.readonly;
  return { target, mode, layers: layersOf(view), options: info?.options ?? {}, writable, canRevert: owned && writable, notes: [] };
}

/**
 * Open a mount ovl-tui made, recorded at once (mount-records.ts) so that a SIGKILL does not
 * leave it behind unnoticed: unmount it again (and drop the record) if opening the view fails.
 */
async function openOwned(spec: { lower: string[]; upper?: string; work?: string; target: string }, mode: 'mounted' | 'demo', ownedDir?: string, cleanup?: () => Promise<void>) {
  const mount = await mountOverlay(spec);
  let record: string | undefined;
  try {
    // As the mount table shows it: that is what the next start compares with.
    const info = await mountInfo(mount.target);
    const layers = { target: info?.target ?? mount.target, lower: info?.lower ?? mount.spec.lower, upper: info?.upper, work: info?.work };
    record = recordMount({ ...layers, ...(ownedDir !== undefined && { ownedDir }) });
    const view = await openOverlay(mount.target);
    return { mount, view, info, record, header: header(view, info?.target ?? resolve(mount.target), mode, info, true) };
  } catch (e) {
    await mount.unmount().then(() => record !== undefined && forgetMount(record), () => undefined);
    await cleanup?.();
    throw e;
  }
}

/**
 * Build the service a request asks for; `engines` says where containers and images are read
 * (service/engine-options.ts). Throws core's SystemError/OvlError as they come.
 */
export async function openSession(command: SessionRequest, engines: EngineOptions = {}): Promise<OverlayService> {
  switch (command.kind) {
    case 'attach': {
      const view = await openOverlay(command.merged);
      const info = await mountInfo(command.merged);
      const merged = info?.target ?? resolve(command.merged);
      return new CoreService({ view, header: header(view, merged, 'attached', info, false), merged, userxattr: info?.options.userxattr === true });
    }
    case 'offline': {
      const view = await openOverlay({ lower: command.lower, ...(command.upper !== undefined && { upper: command.upper }) });
      const target = `offline view of ${view.layers.lower.length} lower layer(s)${view.layers.upper !== undefined ? ' + upper' : ''} (read-only)`;
      return new CoreService({ view, header: header(view, target, 'offline', undefined, false) });
    }
    case 'mount': {
      const spec = { lower: command.lower, target: command.target, ...(command.upper !== undefined && { upper: command.upper, work: command.work! }) };
      const s = await openOwned(spec, 'mounted');
      return new CoreService({ view: s.view, header: s.header, merged: s.mount.target, mount: s.mount, keep: command.keep, record: s.record });
    }
    case 'demo': {
      const dirs = await makeDemoDirs();
      const cleanup = () => rm(dirs.base, { recursive: true, force: true });
      const s = await openOwned({ lower: [dirs.lower], upper: dirs.upper, work: dirs.work, target: dirs.merged }, 'demo', dirs.base, cleanup);
      return new CoreService({ view: s.view, header: { ...s.header, notes: demoNotes(dirs.merged) }, merged: dirs.merged, mount: s.mount, cleanup, record: s.record });
    }
    case 'container':
      return openContainerSession(command, engines);
    case 'image':
      return openImageSession(command, engines);
  }
}
