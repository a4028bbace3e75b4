import * as system from './system.js';
import * as containers from './containers.js';
import * as exec from './exec.js';
import * as networks from './networks.js';
import * as cgroups from './cgroups.js';
import * as images from './images.js';
/** Every area's routes. An area adds itself with one import and one entry here. */
const areas = [
    system,
    containers,
    exec,
    networks,
    cgroups,
    images,
];
export function registerAll(router, ctx) {
    for (const area of areas)
        area.register(router, ctx);
}
//# sourceMappingURL=index.js.map