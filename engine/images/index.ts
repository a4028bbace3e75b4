export * from './config.js';
export { ImageStore, short, parseConfig, type RmiResult, type InUseCheck, type HistoryItem } from './store.js';
export { prepareRootfs, removeRootfs, overlayOptions, rootfsPaths, type RootfsDirs } from './rootfs.js';
export { packLayer, extractLayer, WH_PREFIX, WH_OPAQUE, type PackOptions, type PackedLayer } from './layer-tar.js';
export { BUSYBOX_EPOCH, DEFAULT_PATH } from './busybox.js';
