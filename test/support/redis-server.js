"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.OwnRedis = exports.SHARED_REDIS_URL = void 0;
const node_child_process_1 = require("node:child_process");
const fs = __importStar(require("node:fs"));
const os = __importStar(require("node:os"));
const path = __importStar(require("node:path"));
const ioredis_1 = require("ioredis");
const free_port_1 = require("./free-port");
const wait_for_1 = require("./wait-for");
exports.SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * A private redis-server for tests that stop, restart or partition Redis. Never touches the
 * shared one: its own port, its own temp dir, stopped by its own pid.
 */
class OwnRedis {
    port;
    args;
    password;
    proc;
    dir;
    constructor(port, args, password) {
        this.port = port;
        this.args = args;
        this.password = password;
        this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-redis-'));
    }
    /** `password`: the server's requirepass (give it in extraArgs too), used for the readiness ping. */
    static async start(opts = {}) {
        const port = await (0, free_port_1.freePort)();
        const args = [
            '--port', String(port), '--bind', '127.0.0.1', '--save', '',
            '--appendonly', opts.appendOnly ? 'yes' : 'no', '--appendfsync', 'always',
            ...(opts.extraArgs ?? []),
        ];
        const redis = new OwnRedis(port, args, opts.password);
        await redis.startProcess();
        return redis;
    }
    get url() {
        return `redis://127.0.0.1:${this.port}`;
    }
    get pid() {
        return this.proc?.pid;
    }
    async startProcess() {
        this.proc = (0, node_child_process_1.spawn)('redis-server', [...this.args, '--dir', this.dir], { stdio: 'ignore' });
        await (0, wait_for_1.waitFor)(() => this.ping(), (ok) => ok, { what: `redis-server on port ${this.port}` });
    }
    /** Stops the server (SIGTERM by pid) and waits for its exit. */
    async stop() {
        const proc = this.proc;
        if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null)
            return;
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        proc.kill('SIGTERM');
        await exited;
        this.proc = undefined;
    }
    /** Kills the server abruptly (SIGKILL by pid), as a crash would, and waits for its exit. */
    async kill() {
        const proc = this.proc;
        if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null)
            return;
        const exited = new Promise((resolve) => proc.once('exit', resolve));
        proc.kill('SIGKILL');
        await exited;
        this.proc = undefined;
    }
    async restart() {
        await this.stop();
        await this.startProcess();
    }
    async destroy() {
        await this.stop();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
    async ping() {
        const client = new ioredis_1.Redis(this.port, '127.0.0.1', {
            lazyConnect: true,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
            ...(this.password !== undefined && { password: this.password }),
        });
        try {
            await client.connect();
            return (await client.ping()) === 'PONG';
        }
        catch {
            return false;
        }
        finally {
            client.disconnect();
        }
    }
}
exports.OwnRedis = OwnRedis;
//# sourceMappingURL=redis-server.js.map