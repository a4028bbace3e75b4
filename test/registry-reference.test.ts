import { describe, expect, it } from 'vitest';
import { familiarName, localTag, parseImageRef } from '../engine/registry/reference.js';
import { parseChallenge } from '../engine/registry/http.js';
import { choosePlatform, parsePlatform, type ImageIndex } from '../engine/registry/manifest.js';

describe('image references, by Docker Hub\'s naming rules', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine', 'latest', 'alpine:latest'],
    ['alpine:3.20', 'docker.io', 'library/alpine', '3.20', 'alpine:3.20'],
    ['docker.io/library/alpine', 'docker.io', 'library/alpine', 'latest', 'alpine:latest'],
    ['index.docker.io/user/app:v1', 'docker.io', 'user/app', 'v1', 'user/app:v1'],
    ['user/app', 'docker.io', 'user/app', 'latest', 'user/app:latest'],
    ['localhost/app', 'localhost', 'app', 'latest', 'localhost/app:latest'],
    ['127.0.0.1:5000/team/app:2', '127.0.0.1:5000', 'team/app', '2', '127.0.0.1:5000/team/app:2'],
    ['ghcr.io/org/tool', 'ghcr.io', 'org/tool', 'latest', 'ghcr.io/org/tool:latest'],
  ])('%s → %s / %s : %s', (input, registry, repository, tag, local) => {
    const r = parseImageRef(input);
    expect([r.registry, r.repository, r.tag]).toEqual([registry, repository, tag]);
    expect(localTag(r)).toBe(local);
  });

  it('a digest pins the content; no tag is implied then', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const r = parseImageRef(`alpine@${d}`);
    expect(r).toEqual({ registry: 'docker.io', repository: 'library/alpine', digest: d });
    expect(localTag(r)).toBeUndefined();
    expect(familiarName(r)).toBe('alpine');
  });

  it.each(['Alpine', 'alpine:', 'alpine@sha256:abc', 'a//b', 'alpine:tag with space', '-x'])('refuses "%s" in one line', (bad) => {
    expect(() => parseImageRef(bad)).toThrow(/^invalid reference format: ".*" \(.*\)$/);
  });
});

describe('the registry side', () => {
  it('reads a Bearer challenge', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:x/y:pull"')).toEqual({
      scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:x/y:pull' },
    });
    expect(parseChallenge('Basic realm="r"')?.scheme).toBe('basic');
    expect(parseChallenge(null)).toBeUndefined();
  });

  it('picks a platform from an index, a variant when asked, and says what there is otherwise', () => {
    const mt = 'application/vnd.oci.image.manifest.v1+json';
    const idx: ImageIndex = {
      schemaVersion: 2, manifests: [
        { mediaType: mt, digest: 'sha256:1', size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
        { mediaType: mt, digest: 'sha256:2', size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
        { mediaType: mt, digest: 'sha256:3', size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: mt, digest: 'sha256:4', size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
      ],
    };
    expect(choosePlatform(idx, parsePlatform('linux/amd64')).digest).toBe('sha256:3');
    expect(choosePlatform(idx, parsePlatform('linux/arm/v7')).digest).toBe('sha256:2');
    expect(() => choosePlatform(idx, parsePlatform('linux/s390x'))).toThrow('it has: linux/arm/v6, linux/arm/v7, linux/amd64');
    expect(() => parsePlatform('amd64')).toThrow(/OS\/ARCH/);
  });
});
