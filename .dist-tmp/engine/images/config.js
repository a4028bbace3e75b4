/** Image metadata in docker's API shapes, and the OCI image config JSON that is stored and hashed. */
export function goArch() {
    return { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' }[process.arch] ?? process.arch;
}
/** Fills the fields docker always reports, so callers never meet `undefined` for Env or Cmd. */
export function normaliseConfig(c) {
    const out = {
        Env: c?.Env ?? [],
        Cmd: c?.Cmd ?? null,
        Entrypoint: c?.Entrypoint ?? null,
        WorkingDir: c?.WorkingDir ?? '',
        User: c?.User ?? '',
    };
    if (c?.ExposedPorts && Object.keys(c.ExposedPorts).length)
        out.ExposedPorts = c.ExposedPorts;
    if (c?.Labels && Object.keys(c.Labels).length)
        out.Labels = c.Labels;
    if (c?.Volumes && Object.keys(c.Volumes).length)
        out.Volumes = c.Volumes;
    if (c?.StopSignal)
        out.StopSignal = c.StopSignal;
    return out;
}
/** Stable JSON for configs we write ourselves: same object → same bytes → same image id. */
export function encodeConfig(c) {
    return JSON.stringify(c);
}
export function parseReference(ref) {
    // a registry host with a port ("localhost:5000/x") has its colon before the last slash
    const slash = ref.lastIndexOf('/');
    const colon = ref.lastIndexOf(':');
    if (colon > slash)
        return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
    return { name: ref, tag: 'latest' };
}
/** "busybox" → "busybox:latest"; "docker.io/library/busybox:1" → "busybox:1" (docker shows short names). */
export function normaliseTag(ref) {
    const { name, tag } = parseReference(ref);
    const short = name.replace(/^docker\.io\//, '').replace(/^library\//, '');
    return `${short}:${tag}`;
}
const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
export function isValidReference(ref) {
    const { name, tag } = parseReference(ref);
    return NAME_RE.test(name) && TAG_RE.test(tag);
}
//# sourceMappingURL=config.js.map