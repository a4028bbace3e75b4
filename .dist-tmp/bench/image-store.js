/**
 * The image store's costs, side by side with GNU tar doing the same job on the same tree:
 * the offline busybox image on a fresh store, packing a 64 MB upper dir into a layer (commit) vs `tar -c`,
 * extracting it safely (load) vs `tar -x`, and a save → load round trip of the result.
 *
 *   npm run build && node dist/bench/image-store.js [iterations]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { host } from '../engine/sys/index.js';
import { extractLayer, ImageStore, loadImages, packLayer, saveImages, commitContainer } from '../engine/images/index.js';
const N = Number(process.argv[2] ?? 5);
function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
async function time(fn) {
    const t = performance.now();
    await fn();
    return performance.now() - t;
}
async function main() {
    const dir = mkdtempSync(join(tmpdir(), 'boxlab-bench-image-'));
    try {
        // an upper dir like a container that installed something: 2000 files of 32 kB in 40 dirs
        const upper = join(dir, 'upper');
        for (let d = 0; d < 40; d++) {
            mkdirSync(join(upper, `usr/lib/pkg${d}`), { recursive: true });
            for (let f = 0; f < 50; f++)
                writeFileSync(join(upper, `usr/lib/pkg${d}/file${f}.so`), randomBytes(32 * 1024));
        }
        const rows = [];
        const bb = [];
        for (let i = 0; i < N; i++)
            bb.push(await time(() => new ImageStore(join(dir, `bb${i}`)).ensureBusybox()));
        rows.push(['busybox image on a fresh store', median(bb), undefined]);
        const pack = [];
        const gtarC = [];
        for (let i = 0; i < N; i++) {
            pack.push(await time(() => packLayer(upper, join(dir, 'layer.tar'))));
            gtarC.push(await time(() => host('tar', ['-C', upper, '-cf', join(dir, 'gnu.tar'), '.'])));
        }
        rows.push(['pack 64 MB upper → layer tar', median(pack), median(gtarC)]);
        const ex = [];
        const gtarX = [];
        for (let i = 0; i < N; i++) {
            const a = join(dir, `x${i}`);
            const b = join(dir, `g${i}`);
            mkdirSync(a);
            mkdirSync(b);
            ex.push(await time(() => extractLayer(join(dir, 'layer.tar'), a)));
            gtarX.push(await time(() => host('tar', ['-C', b, '-xf', join(dir, 'layer.tar')])));
            rmSync(a, { recursive: true });
            rmSync(b, { recursive: true });
        }
        rows.push(['safe extract of that layer', median(ex), median(gtarX)]);
        const store = new ImageStore(join(dir, 'bb0'));
        const img = await store.ensureBusybox();
        const commit = [];
        for (let i = 0; i < N; i++) {
            writeFileSync(join(upper, 'stamp'), String(i)); // a new layer each time
            commit.push(await time(() => commitContainer(store, { upper, image: img, tag: `bench:${i}` })));
        }
        rows.push(['commit (pack + hash + extract + config)', median(commit), undefined]);
        const rt = [];
        for (let i = 0; i < N; i++) {
            rt.push(await time(async () => {
                await saveImages(store, ['bench:0'], join(dir, 'saved.tar'));
                await loadImages(new ImageStore(join(dir, `load${i}`)), join(dir, 'saved.tar'));
            }));
        }
        rows.push(['save + load on a fresh store', median(rt), undefined]);
        process.stdout.write(`median of ${N} runs (ms)\n`);
        process.stdout.write(`${'operation'.padEnd(42)} ${'boxlab'.padStart(8)} ${'GNU tar'.padStart(8)}\n`);
        for (const [name, ours, theirs] of rows) {
            process.stdout.write(`${name.padEnd(42)} ${ours.toFixed(0).padStart(8)} ${(theirs === undefined ? '-' : theirs.toFixed(0)).padStart(8)}\n`);
        }
    }
    finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
await main();
//# sourceMappingURL=image-store.js.map