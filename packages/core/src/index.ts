/**
 * @ovl/core — Linux overlayfs for Node. Curated public surface; names here are a contract
 * other programs depend on (see DESIGN.md).
 */
export { mountOverlay, mountOverlaySync, unmount, unmountSync } from './mount.js';
export type { OverlayMount, UnmountOptions } from './mount.js';
export type { OverlaySpec, OverlayOptions } from './spec.js';
export { listOverlayMounts } from './mount-table.js';
export type { OverlayMountInfo } from './mountinfo.js';
export { createWhiteout, isWhiteout, setOpaque, isOpaque } from './whiteout.js';
export type { XattrNamespaceOptions } from './whiteout.js';
export { SystemError, OvlError } from './errors.js';
export { sys } from './sys.js';
export type { Sys } from './sys.js';
export { MAX_LOWER_LAYERS } from './options.js';
export { supportsNewMountApi, supportsLowerdirPlus, supportsLayerFds } from './kernel-features.js';
export { openOverlay } from './view/open.js';
export { PODMAN_IGNORED_PATHS } from './view/changes.js';
export type { OverlayView, MergedEntry, Change, ChangeEvent, LayerId, EntryType, ReaddirOptions, ReaddirChunksOptions, WalkOptions, WatchOptions, OverlayWatch, OverlaySource } from './view/types.js';
