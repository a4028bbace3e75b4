export const NAMESPACE_TYPES = ['mnt', 'uts', 'ipc', 'net', 'pid', 'user', 'cgroup', 'time'];
//# sourceMappingURL=types.js.map