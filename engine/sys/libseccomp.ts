import koffi from 'koffi';

/**
 * libseccomp (Debian libseccomp2), bound on first use: only the daemon compiles seccomp profiles, and a host
 * without the library should fail only when a profile is asked for. libseccomp returns -errno itself rather
 * than setting errno, so its callers check the return value (security/seccomp.ts `scmp`).
 */
function bind() {
  const lib = koffi.load('libseccomp.so.2');
  return {
    init: lib.func('void *seccomp_init(uint32_t def_action)'),
    release: lib.func('void seccomp_release(void *ctx)'),
    archAdd: lib.func('int seccomp_arch_add(void *ctx, uint32_t arch)'),
    archNative: lib.func('uint32_t seccomp_arch_native()'),
    archResolve: lib.func('uint32_t seccomp_arch_resolve_name(const char *name)'),
    resolveArch: lib.func('int seccomp_syscall_resolve_name_arch(uint32_t arch, const char *name)'),
    resolve: lib.func('int seccomp_syscall_resolve_name(const char *name)'),
    ruleAdd: lib.func('int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int cnt, void *args)'),
    attrSet: lib.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)'),
    exportBpf: lib.func('int seccomp_export_bpf(void *ctx, int fd)'),
    load: lib.func('int seccomp_load(void *ctx)'),
  };
}

export type Libseccomp = ReturnType<typeof bind>;

let bound: Libseccomp | undefined;

/** The bindings; throws koffi's load error when libseccomp.so.2 is missing. */
export function libseccomp(): Libseccomp {
  bound ??= bind();
  return bound;
}
