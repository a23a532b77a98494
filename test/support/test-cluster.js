"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TestCluster = exports.FAST_TIMINGS = void 0;
const node_crypto_1 = require("node:crypto");
const ioredis_1 = require("ioredis");
const app_process_1 = require("./app-process");
const redis_server_1 = require("./redis-server");
const wait_for_1 = require("./wait-for");
/** Short timings so failure handling shows within a test's patience. */
exports.FAST_TIMINGS = {
    HEARTBEAT_INTERVAL_MS: '200',
    NODE_SUSPECT_AFTER_MS: '1000',
    NODE_DEAD_AFTER_MS: '2000',
    HEALTH_CHECK_INTERVAL_MS: '200',
    CLAIM_INTERVAL_MS: '500',
    LEADER_LEASE_TTL_MS: '2000',
    LEADER_RENEW_INTERVAL_MS: '300',
    LOG_LEVEL: 'info',
};
/**
 * Real dispatcher and worker processes on a private key prefix (and optionally a private
 * Redis). Stops every process by pid and deletes every key of its prefix.
 */
class TestCluster {
    prefix;
    redisUrl;
    env;
    dispatchers = [];
    workers = new Map();
    redis;
    workerCount = 0;
    constructor(prefix, redisUrl, env) {
        this.prefix = prefix;
        this.redisUrl = redisUrl;
        this.env = env;
        this.redis = new ioredis_1.Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: (t) => Math.min(t * 100, 1000) });
    }
    static async start(opts = {}) {
        const prefix = `t${(0, node_crypto_1.randomBytes)(5).toString('hex')}`;
        const cluster = new TestCluster(prefix, opts.redisUrl ?? redis_server_1.SHARED_REDIS_URL, { ...exports.FAST_TIMINGS, ...opts.env });
        try {
            for (let i = 0; i < (opts.dispatchers ?? 1); i++)
                await cluster.startDispatcher();
            const specs = typeof opts.workers === 'number' ? Array.from({ length: opts.workers }, () => ({})) : (opts.workers ?? []);
            await Promise.all(specs.map((s) => cluster.startWorker(s)));
        }
        catch (err) {
            await cluster.stop();
            throw err;
        }
        return cluster;
    }
    /** The first dispatcher that runs and is not paused: where `request` goes. */
    get dispatcher() {
        const live = this.dispatchers.find((d) => d.running && !d.paused);
        if (live === undefined)
            throw new Error('no dispatcher is running');
        return live;
    }
    baseEnv() {
        return { REDIS_URL: this.redisUrl, SWITCHYARD_PREFIX: this.prefix, ...this.env };
    }
    async startDispatcher(env = {}) {
        const d = await app_process_1.AppProcess.start(`dispatcher-${this.dispatchers.length + 1}`, app_process_1.DISPATCHER_MAIN, { ...this.baseEnv(), ...env });
        this.dispatchers.push(d);
        return d;
    }
    /** Starts a worker and waits until the registry lists it alive. */
    async startWorker(spec = {}) {
        const id = spec.id ?? `w${++this.workerCount}-${(0, node_crypto_1.randomBytes)(2).toString('hex')}`;
        const env = { ...this.baseEnv(), NODE_ID: id, ...spec.env };
        if (spec.slots !== undefined)
            env.WORKER_SLOTS = String(spec.slots);
        if (spec.labels !== undefined)
            env.WORKER_LABELS = spec.labels;
        if (spec.types !== undefined)
            env.WORKER_TYPES = spec.types;
        const w = await app_process_1.AppProcess.start(`worker-${id}`, app_process_1.WORKER_MAIN, env);
        this.workers.set(id, w);
        await this.waitForNode(id, (n) => n.status === 'alive');
        return w;
    }
    async waitForNode(id, predicate, timeoutMs = 20_000) {
        const answer = await (0, wait_for_1.waitFor)(() => this.get('/nodes'), (r) => r.status === 200 && r.body.nodes.some((n) => n.id === id && predicate(n)), { timeoutMs, what: `node ${id}` });
        return answer.body.nodes.find((n) => n.id === id);
    }
    async request(method, path, body, headers = {}) {
        return this.requestTo(this.dispatcher, method, path, body, headers);
    }
    /** A request to one particular process (a given dispatcher, or a worker's HTTP port). */
    async requestTo(target, method, path, body, headers = {}) {
        const res = await fetch(`${target.url}${path}`, {
            method,
            headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
            ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        });
        const text = await res.text();
        let parsed = text;
        try {
            parsed = text === '' ? undefined : JSON.parse(text);
        }
        catch {
            /* not JSON: keep the text */
        }
        return { status: res.status, body: parsed, headers: res.headers };
    }
    get(path) {
        return this.request('GET', path);
    }
    post(path, body) {
        return this.request('POST', path, body);
    }
    /** Waits until every task is in one of `states`; returns their views. */
    async waitForTasks(ids, states = ['succeeded', 'failed', 'cancelled'], timeoutMs = 60_000) {
        return (0, wait_for_1.waitFor)(async () => Promise.all(ids.map(async (id) => (await this.get(`/tasks/${id}`)).body)), (views) => views.every((v) => states.includes(v?.state)), { timeoutMs, what: `${ids.length} task(s) to reach ${states.join('/')}` });
    }
    /** Keys of this cluster's prefix (all share the hash tag). */
    key(suffix) {
        return `{${this.prefix}}:${suffix}`;
    }
    async stop() {
        await Promise.all([...this.workers.values()].map((w) => w.stop('SIGTERM').catch(() => undefined)));
        await Promise.all(this.dispatchers.map((d) => d.stop('SIGTERM').catch(() => undefined)));
        try {
            let cursor = '0';
            do {
                const [next, keys] = await this.redis.scan(cursor, 'MATCH', `{${this.prefix}}:*`, 'COUNT', 1000);
                if (keys.length > 0)
                    await this.redis.unlink(...keys);
                cursor = next;
            } while (cursor !== '0');
        }
        catch {
            /* the private Redis may be gone already */
        }
        await this.redis.quit().catch(() => undefined);
        this.redis.disconnect();
    }
}
exports.TestCluster = TestCluster;
//# sourceMappingURL=test-cluster.js.map