import { UserError } from '../sys/index.js';
export const SUPPORTED = ['FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'USER', 'LABEL', 'EXPOSE', 'CMD', 'ENTRYPOINT',
    'VOLUME', 'STOPSIGNAL', 'MAINTAINER', 'SHELL'];
const KNOWN_UNSUPPORTED = ['ONBUILD', 'HEALTHCHECK'];
/** Instructions whose arguments docker runs through variable substitution. */
const SUBSTITUTED = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ARG']);
const FLAGGED = new Set(['COPY', 'ADD', 'FROM', 'RUN']);
export function lineError(line, msg) {
    return new UserError(`Dockerfile line ${line}: ${msg}`);
}
export function parseDockerfile(text) {
    const lines = text.replace(/\r\n/g, '\n').split('\n');
    let escape = '\\';
    // parser directives: only at the very top, before any instruction, comment or blank line
    for (const l of lines) {
        const m = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(l);
        if (!m)
            break;
        if (m[1].toLowerCase() === 'escape') {
            if (m[2] !== '\\' && m[2] !== '`')
                throw lineError(lines.indexOf(l) + 1, `invalid escape character "${m[2]}": use \\ or \``);
            escape = m[2];
        }
    }
    const out = [];
    let i = 0;
    while (i < lines.length) {
        const startLine = i + 1;
        let l = lines[i++];
        if (/^\s*(#|$)/.test(l))
            continue;
        let text = '';
        // continuation: the escape char at the end of a line; comment and empty lines inside are skipped
        for (;;) {
            const trimmed = l.replace(/\s+$/, '');
            if (trimmed.endsWith(escape) && !trimmed.endsWith(escape + escape)) {
                text += trimmed.slice(0, -1);
                if (i >= lines.length)
                    break;
                l = lines[i++];
                while (i < lines.length && /^\s*(#|$)/.test(l))
                    l = lines[i++];
                if (/^\s*(#|$)/.test(l))
                    break;
                continue;
            }
            text += l;
            break;
        }
        text = text.trim();
        const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(text);
        const keyword = m[1].toUpperCase();
        let args = (m[2] ?? '').trim();
        if (KNOWN_UNSUPPORTED.includes(keyword))
            throw lineError(startLine, `${keyword} is not supported by boxlab`);
        if (!SUPPORTED.includes(keyword))
            throw lineError(startLine, `unknown instruction ${m[1]}`);
        const flags = {};
        if (FLAGGED.has(keyword)) {
            let f;
            while ((f = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(args))) {
                flags[f[1]] = f[2] ?? 'true';
                args = args.slice(f[0].length);
            }
        }
        if (!args && keyword !== 'CMD' && keyword !== 'ENTRYPOINT')
            throw lineError(startLine, `${keyword} requires at least one argument`);
        const ins = { line: startLine, cmd: keyword, args, flags, original: `${keyword} ${FLAGGED.has(keyword) ? Object.entries(flags).map(([k, v]) => `--${k}=${v} `).join('') : ''}${args}`.trim() };
        const json = parseJsonArray(args);
        if (json)
            ins.json = json;
        out.push(ins);
    }
    if (!out.some((x) => x.cmd === 'FROM'))
        throw new UserError('Dockerfile has no FROM instruction');
    const first = out.find((x) => x.cmd !== 'ARG');
    if (first && first.cmd !== 'FROM')
        throw lineError(first.line, `${first.cmd} before FROM: a Dockerfile must start with FROM (ARG may come first)`);
    return out;
}
function parseJsonArray(s) {
    if (!s.startsWith('['))
        return undefined;
    try {
        const v = JSON.parse(s);
        return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
    }
    catch {
        return undefined;
    }
}
// ---------------------------------------------------------------------------------------------------------
// words and variables
/**
 * Splits `a "b c" d\ e` into words the way docker's ENV/LABEL/COPY parsing does, substituting variables
 * (not inside single quotes) when `vars` is given.
 */
export function splitWords(s, vars) {
    const words = [];
    let cur = '';
    let inWord = false;
    let quote = null;
    for (let i = 0; i < s.length; i++) {
        const c = s[i];
        if (quote === "'") {
            if (c === "'")
                quote = null;
            else
                cur += c;
            continue;
        }
        if (c === '\\' && i + 1 < s.length) {
            cur += s[++i];
            inWord = true;
            continue;
        }
        if (quote === '"') {
            if (c === '"')
                quote = null;
            else if (c === '$' && vars) {
                const [v, n] = expandAt(s, i, vars);
                cur += v;
                i = n - 1;
            }
            else
                cur += c;
            continue;
        }
        if (c === '"' || c === "'") {
            quote = c;
            inWord = true;
            continue;
        }
        if (/\s/.test(c)) {
            if (inWord) {
                words.push(cur);
                cur = '';
                inWord = false;
            }
            continue;
        }
        if (c === '$' && vars) {
            const [v, n] = expandAt(s, i, vars);
            cur += v;
            i = n - 1;
            inWord = true;
            continue;
        }
        cur += c;
        inWord = true;
    }
    if (quote)
        throw new UserError(`unterminated ${quote} quote in "${s}"`);
    if (inWord)
        words.push(cur);
    return words;
}
/** Expands `$X`, `${X}`, `${X:-default}`, `${X:+alt}` at s[i] === '$'; returns [value, index after]. */
function expandAt(s, i, vars) {
    if (s[i + 1] === '{') {
        const end = s.indexOf('}', i + 2);
        if (end < 0)
            throw new UserError(`missing } in "${s}"`);
        const body = s.slice(i + 2, end);
        const m = /^(\w+)(?::([-+])([\s\S]*))?$/.exec(body);
        if (!m)
            throw new UserError(`bad substitution \${${body}}`);
        const val = vars[m[1]];
        if (m[2] === '-')
            return [val ? val : m[3], end + 1];
        if (m[2] === '+')
            return [val ? m[3] : '', end + 1];
        return [val ?? '', end + 1];
    }
    const m = /^\w+/.exec(s.slice(i + 1));
    if (!m)
        return ['$', i + 1];
    return [vars[m[0]] ?? '', i + 1 + m[0].length];
}
/** Substitutes variables in a whole string (quotes kept as they are), for WORKDIR/USER/FROM/EXPOSE... */
export function substitute(s, vars) {
    let out = '';
    for (let i = 0; i < s.length; i++) {
        if (s[i] === '\\' && s[i + 1] === '$') {
            out += '$';
            i++;
            continue;
        }
        if (s[i] === '$') {
            const [v, n] = expandAt(s, i, vars);
            out += v;
            i = n - 1;
            continue;
        }
        out += s[i];
    }
    return out;
}
export function needsSubstitution(cmd) {
    return SUBSTITUTED.has(cmd);
}
/** `ENV a=1 b="2 3"` or the legacy `ENV a 1 2` → pairs. LABEL uses the same syntax (without the legacy form). */
export function parseKeyValues(ins, vars) {
    const words = splitWords(ins.args, vars);
    if (!words[0].includes('=')) {
        if (ins.cmd !== 'ENV')
            throw lineError(ins.line, `${ins.cmd} needs key=value pairs`);
        const rest = /^\S+\s+([\s\S]*)$/.exec(ins.args)?.[1];
        if (rest === undefined)
            throw lineError(ins.line, 'ENV needs a value: ENV KEY=value');
        return [[words[0], substitute(rest, vars)]];
    }
    return words.map((w) => {
        const eq = w.indexOf('=');
        if (eq <= 0)
            throw lineError(ins.line, `"${w}" is not key=value`);
        return [w.slice(0, eq), w.slice(eq + 1)];
    });
}
// ---------------------------------------------------------------------------------------------------------
// CMD / ENTRYPOINT
export const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** The argv an instruction's exec or shell form stands for: `CMD echo hi` → ["/bin/sh", "-c", "echo hi"]. */
export function commandForm(ins, shell = DEFAULT_SHELL) {
    if (ins.json)
        return ins.json;
    return ins.args ? [...shell, ins.args] : [];
}
/**
 * What docker execs for `run IMAGE [args]`: args replace the image's CMD; `--entrypoint` replaces the
 * ENTRYPOINT and drops the image's CMD (an empty `--entrypoint ""` removes it). A shell-form ENTRYPOINT is
 * `/bin/sh -c "..."`, so CMD words land in sh's $0 $1 and are in effect ignored — as in docker's table.
 */
export function resolveCommand(image, run = {}) {
    let entrypoint = image.Entrypoint ?? [];
    let cmd = image.Cmd ?? [];
    if (run.entrypoint !== undefined) {
        entrypoint = run.entrypoint.length === 1 && run.entrypoint[0] === '' ? [] : run.entrypoint;
        cmd = [];
    }
    if (run.cmd !== undefined && run.cmd.length > 0)
        cmd = run.cmd;
    const argv = [...entrypoint, ...cmd];
    if (argv.length === 0)
        throw new UserError('no command specified: the image has no CMD or ENTRYPOINT, give one after the image name');
    return argv;
}
/**
 * Applies one metadata instruction to an image config (a build step, or `commit --change`): ENV, LABEL,
 * EXPOSE, CMD, ENTRYPOINT (which resets an inherited CMD, as docker does), WORKDIR, USER, VOLUME,
 * STOPSIGNAL. Returns false for instructions that are not metadata (RUN, COPY, ...).
 */
export function applyMetadata(config, ins, vars, state = {}) {
    const arg = () => substitute(ins.args, vars);
    switch (ins.cmd) {
        case 'ENV':
            for (const [k, v] of parseKeyValues(ins, vars)) {
                config.Env = [...config.Env.filter((e) => !e.startsWith(`${k}=`)), `${k}=${v}`];
                vars[k] = v;
            }
            return true;
        case 'LABEL':
            config.Labels = { ...(config.Labels ?? {}) };
            for (const [k, v] of parseKeyValues(ins, vars))
                config.Labels[k] = v;
            return true;
        case 'MAINTAINER':
            return true;
        case 'EXPOSE':
            config.ExposedPorts = { ...(config.ExposedPorts ?? {}) };
            for (const p of arg().split(/\s+/)) {
                if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(p))
                    throw lineError(ins.line, `invalid port "${p}": use PORT[/tcp|udp]`);
                config.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
            }
            return true;
        case 'CMD':
            config.Cmd = commandForm(ins, state.shell);
            state.cmdSetHere = true;
            return true;
        case 'ENTRYPOINT':
            config.Entrypoint = ins.args ? commandForm(ins, state.shell) : null;
            if (!state.cmdSetHere)
                config.Cmd = null;
            return true;
        case 'WORKDIR': {
            const w = arg();
            config.WorkingDir = w.startsWith('/') ? w : `${config.WorkingDir || '/'}/${w}`.replace(/\/+/g, '/');
            return true;
        }
        case 'USER':
            config.User = arg();
            return true;
        case 'VOLUME': {
            const vols = ins.json ?? splitWords(ins.args, vars);
            config.Volumes = { ...(config.Volumes ?? {}) };
            for (const v of vols)
                config.Volumes[v] = {};
            return true;
        }
        case 'STOPSIGNAL':
            config.StopSignal = arg();
            return true;
        case 'SHELL':
            if (!ins.json || ins.json.length === 0)
                throw lineError(ins.line, 'SHELL needs the JSON form: SHELL ["/bin/sh", "-c"]');
            state.shell = ins.json;
            return true;
        default:
            return false;
    }
}
/** `commit --change 'CMD ["x"]'` lines → parsed instructions (only metadata instructions are allowed). */
export function parseChanges(changes) {
    return changes.map((c, n) => {
        const [ins] = parseDockerfile(`FROM scratch\n${c}`).slice(1);
        if (!ins)
            throw new UserError(`--change ${n + 1} is empty`);
        if (!['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'LABEL', 'USER', 'VOLUME', 'WORKDIR', 'STOPSIGNAL'].includes(ins.cmd)) {
            throw new UserError(`--change does not accept ${ins.cmd}: only CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL`);
        }
        return ins;
    });
}
//# sourceMappingURL=dockerfile.js.map