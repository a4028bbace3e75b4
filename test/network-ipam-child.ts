// Child process of test/network-ipam.test.ts (bundled by rolldown): waits for a start file so every child
// begins at once, then allocates N addresses, each in its own locked transaction as connect() does.
import { existsSync } from 'node:fs';
import { formatIp, parseSubnet } from '../engine/network/ipv4.js';
import { NetworkStore } from '../engine/network/store.js';

const [stateDir = '', subnet = '', count = '0', startFile = ''] = process.argv.slice(2);
const store = new NetworkStore(stateDir);
const cidr = parseSubnet(subnet);
const deadline = Date.now() + 10_000;
while (!existsSync(startFile) && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
const ips: string[] = [];
for (let i = 0; i < Number(count); i++) ips.push(formatIp(store.tx(() => store.ipam.allocate(cidr, undefined, 'race'))));
process.stdout.write(JSON.stringify(ips));
