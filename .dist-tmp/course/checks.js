import { existsSync } from 'node:fs';
const clip = (s) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);
const q = (s) => JSON.stringify(clip(s));
/** Evaluates every operator of an already-substituted check against its subject. */
export function evaluateCheck(check, subject) {
    const failures = [];
    const passes = [];
    const o = check.ops;
    // a check that expects a failure reads the error too: why it failed is the point (`exit: 1` + `contains:`)
    const expectsFailure = o.exit !== undefined && o.exit !== 0;
    const s = (expectsFailure ? `${subject.text}\n${subject.stderr ?? ''}` : subject.text).trim();
    const note = (ok, text) => (ok ? passes : failures).push(text);
    const num = (v) => Number(v.trim());
    if ('run' in check.subject && o.exit === undefined && subject.exitCode !== 0) {
        const said = subject.stderr?.trim().split('\n').pop();
        note(false, `the command exited ${subject.exitCode}${said ? ` (${clip(said)})` : ''}`);
    }
    if (o.equals !== undefined)
        note(s === o.equals.trim(), `${q(s)} ${s === o.equals.trim() ? 'equals' : 'is not'} ${q(o.equals.trim())}`);
    if (o.differs !== undefined)
        note(s !== o.differs.trim(), `${q(s)} ${s !== o.differs.trim() ? 'differs from' : 'is the same as'} ${q(o.differs.trim())}`);
    if (o.contains !== undefined)
        note(s.includes(o.contains), `output ${s.includes(o.contains) ? 'contains' : 'does not contain'} ${q(o.contains)}`);
    if (o.lacks !== undefined)
        note(!s.includes(o.lacks), `output ${s.includes(o.lacks) ? 'contains' : 'does not contain'} ${q(o.lacks)}`);
    if (o.matches !== undefined) {
        const ok = new RegExp(o.matches, 'm').test(s);
        note(ok, `${q(s)} ${ok ? 'matches' : 'does not match'} /${o.matches}/`);
    }
    const cmp = [['gt', '>', (a, b) => a > b], ['gte', '≥', (a, b) => a >= b],
        ['lt', '<', (a, b) => a < b], ['lte', '≤', (a, b) => a <= b]];
    for (const [key, sym, fn] of cmp) {
        const want = o[key];
        if (want === undefined)
            continue;
        const a = num(s);
        const b = num(want);
        if (Number.isNaN(a) || Number.isNaN(b))
            note(false, `${q(s)} ${sym} ${q(want)}: not a number`);
        else
            note(fn(a, b), `${a} ${fn(a, b) ? '' : 'is not '}${sym} ${b}`);
    }
    if (o.exit !== undefined)
        note(subject.exitCode === o.exit, `exit code ${subject.exitCode}${subject.exitCode === o.exit ? '' : `, expected ${o.exit}`}`);
    if (o.exists !== undefined) {
        const path = 'file' in check.subject ? check.subject.file : s;
        const there = existsSync(path);
        note(there === o.exists, `${path} ${there ? 'exists' : 'does not exist'}`);
    }
    return {
        proves: check.proves,
        passed: failures.length === 0,
        detail: (failures.length > 0 ? failures : passes).join('; '),
        ...(check.hint !== undefined && { hint: check.hint }),
        ...(check.invariant !== undefined && { invariant: check.invariant }),
        line: check.line,
    };
}
//# sourceMappingURL=checks.js.map