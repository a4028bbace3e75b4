function compile(path) {
    const keys = [];
    const source = path.replace(/\{(\w+)\}/g, (_m, key) => {
        keys.push(key);
        return '([^/]+)';
    });
    return { pattern: new RegExp(`^${source}$`), keys };
}
/**
 * Docker-style paths (`/containers/{id}/start`), optionally behind a version prefix (`/v1.45/...`) that the
 * stock docker client always sends.
 */
export class Router {
    routes = [];
    upgrades = [];
    add(method, path, handler) {
        this.routes.push({ method, ...compile(path), handler });
        return this;
    }
    upgrade(method, path, handler) {
        this.upgrades.push({ method, ...compile(path), handler });
        return this;
    }
    static stripVersion(path) {
        return path.replace(/^\/v\d+\.\d+(?=\/)/, '');
    }
    find(list, method, path) {
        let pathMatched = false;
        for (const r of list) {
            const m = r.pattern.exec(path);
            if (!m)
                continue;
            pathMatched = true;
            if (r.method !== method && !(method === 'HEAD' && r.method === 'GET'))
                continue;
            const params = {};
            r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
            return { handler: r.handler, params };
        }
        return pathMatched ? 'wrong-method' : undefined;
    }
    match(method, path) {
        return this.find(this.routes, method, path);
    }
    matchUpgrade(method, path) {
        const found = this.find(this.upgrades, method, path);
        return found === 'wrong-method' ? undefined : found;
    }
}
//# sourceMappingURL=router.js.map