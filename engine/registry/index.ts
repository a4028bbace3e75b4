export { parseImageRef, familiarName, localTag, formatRef, credentialKey, DOCKER_HUB, type Reference } from './reference.js';
export { RegistryClient, RegistryError, parseChallenge, type Credentials } from './http.js';
export { MediaType, MANIFEST_ACCEPT, choosePlatform, parsePlatform, formatPlatform, type Descriptor, type ImageManifest, type ImageIndex, type Platform } from './manifest.js';
export { pullImage, fetchManifest, type PullOptions, type PullResult } from './pull.js';
export { pushImage, type PushOptions, type PushResult } from './push.js';
export { searchRegistry, checkLogin, type SearchResult } from './search.js';
export { DistributionMetadata } from './metadata.js';
export { progressBar, type ProgressMessage, type OnProgress } from './progress.js';
export { configPath, loadCredentials, saveCredentials, removeCredentials, registryAuthHeader } from './credentials.js';
