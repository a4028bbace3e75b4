export * from './config.js';
export { ImageStore, short, parseConfig, type RmiResult, type InUseCheck, type HistoryItem } from './store.js';
export { prepareRootfs, removeRootfs, overlayOptions, rootfsPaths, type RootfsDirs } from './rootfs.js';
export { packLayer, extractLayer, WH_PREFIX, WH_OPAQUE, type PackOptions, type PackedLayer } from './layer-tar.js';
export { BUSYBOX_EPOCH, DEFAULT_PATH } from './busybox.js';
export { diffUpper, existsInLowers, KIND_LETTER, type Change, type ChangeKind } from './changes.js';
export { commitContainer, importFlat, exportFlat, flattenInto, type CommitOptions, type ImportOptions, type ExportSource } from './ops.js';
export { saveImages, loadImages, type LoadedImage } from './archive.js';
export * from './dockerfile.js';
