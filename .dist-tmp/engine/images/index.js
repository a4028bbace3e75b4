export * from './config.js';
export { ImageStore, short, parseConfig } from './store.js';
export { prepareRootfs, removeRootfs, overlayOptions, rootfsPaths } from './rootfs.js';
export { packLayer, extractLayer, WH_PREFIX, WH_OPAQUE } from './layer-tar.js';
export { BUSYBOX_EPOCH, DEFAULT_PATH } from './busybox.js';
export { diffUpper, existsInLowers, KIND_LETTER } from './changes.js';
export { commitContainer, importFlat, exportFlat, flattenInto } from './ops.js';
export { DockerIgnore } from './build-context.js';
export { buildImage } from './build.js';
export { chrootRunner } from './runner.js';
export { resolveUser, readFromLayers } from './users.js';
export { saveImages, loadImages } from './archive.js';
export * from './dockerfile.js';
export { VolumeStore, parseBind, parseMounts, prepareMounts, fillVolumeFromImage, commitExcludes } from './volumes.js';
//# sourceMappingURL=index.js.map