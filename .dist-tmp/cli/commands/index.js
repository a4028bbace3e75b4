import * as run from './run.js';
import * as containers from './containers.js';
import * as exec from './exec.js';
import * as system from './system.js';
import * as network from './network.js';
import * as cgroups from './cgroups.js';
import * as images from './images.js';
import * as course from './course.js';
import * as doctor from './doctor.js';
/** Every command group. A group adds itself with one import and one entry here. */
const groups = [
    run,
    containers,
    exec,
    system,
    network,
    cgroups,
    images,
    course,
    doctor,
];
export function registerAll(program) {
    for (const g of groups)
        g.register(program);
}
//# sourceMappingURL=index.js.map