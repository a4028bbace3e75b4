/** Line diff (longest common subsequence); outputs are small (a screen of `lsns` or `iptables -S`). */
export function diffLines(before, after) {
    const a = before === '' ? [] : before.split('\n');
    const b = after === '' ? [] : after.split('\n');
    const n = a.length;
    const m = b.length;
    const lcs = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
            lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        }
    }
    const out = [];
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
        if (a[i] === b[j]) {
            out.push({ op: ' ', text: a[i] });
            i++;
            j++;
        }
        else if (lcs[i + 1][j] >= lcs[i][j + 1])
            out.push({ op: '-', text: a[i++] });
        else
            out.push({ op: '+', text: b[j++] });
    }
    while (i < n)
        out.push({ op: '-', text: a[i++] });
    while (j < m)
        out.push({ op: '+', text: b[j++] });
    return out;
}
export function hasChanges(d) {
    return d.some((l) => l.op !== ' ');
}
//# sourceMappingURL=diff.js.map