/**
 * @ovl/core — Linux overlayfs for Node. Curated public surface; names here are a contract
 * other programs depend on (the README lists them).
 */
export { mountOverlay, mountOverlaySync, unmount, unmountSync } from './mount/mount.js';
export { makeStepDirs } from './mount/step-dirs.js';
export type { StepDirs } from './mount/step-dirs.js';
export type { OverlayMount, UnmountOptions } from './mount/mount.js';
export type { OverlaySpec, OverlayOptions } from './mount/spec.js';
export { listOverlayMounts, overlayMountAt } from './mount/mount-table.js';
export type { OverlayMountInfo } from './mount/mountinfo.js';
export { createWhiteout, isWhiteout, setOpaque, isOpaque } from './layers/marks.js';
export type { XattrNamespaceOptions } from './format/overlay-xattrs.js';
export { SystemError, OvlError } from './errors.js';
export { sys } from './sys.js';
export type { Sys } from './sys.js';
export { MAX_LOWER_LAYERS } from './mount/options.js';
export { supportsNewMountApi, supportsLowerdirPlus, supportsLayerFds } from './mount/kernel-features.js';
export { openOverlay } from './view/open.js';
export { PODMAN_IGNORED_PATHS } from './view/changes.js';
export { explainWriteFailure } from './view/write-failure.js';
export type { OverlayView, MergedEntry, Change, ChangesOptions, UpperUsage, ChangeEvent, LayerId, EntryType, ReaddirOptions, ReaddirChunksOptions, DirNames, WalkOptions, WatchOptions, OverlayWatch, OverlaySource } from './view/types.js';
export { listContainers, openContainer, findContainer } from './engines/containers.js';
export { listImages, openImage, findImage } from './engines/images.js';
export type { ContainerInfo, ImageInfo, ImageLayerInfo, ImageView, EngineName, EngineOptions, OpenContainerOptions } from './engines/types.js';
export { exportLayer } from './layers/export-layer.js';
export type { ExportLayerOptions, ExportProgress, LayerSource } from './layers/export-layer.js';
export { writeImage } from './layers/write-image.js';
export type { WriteImageOptions, ImageLayerInput } from './layers/write-image.js';
export { applyLayer } from './layers/apply-layer.js';
export type { ApplyLayerOptions, ApplyLayerResult } from './layers/apply-layer.js';
export { commit } from './layers/commit.js';
export type { CommitOptions, CommitResult, CommitSource } from './layers/commit.js';
export { flatten } from './layers/flatten.js';
export { vacuum } from './layers/vacuum.js';
export type { VacuumItem, VacuumReport } from './layers/vacuum.js';
