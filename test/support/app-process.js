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
exports.AppProcess = exports.WORKER_MAIN = exports.DISPATCHER_MAIN = void 0;
const node_child_process_1 = require("node:child_process");
const path = __importStar(require("node:path"));
const wait_for_1 = require("./wait-for");
const ROOT = path.resolve(__dirname, '..', '..');
exports.DISPATCHER_MAIN = path.join(ROOT, 'dist/apps/dispatcher/main.js');
exports.WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/main.js');
const MAX_LOG_LINES = 5000;
/** A real dispatcher or worker process (built output), with its logs and its HTTP port. */
class AppProcess {
    name;
    proc;
    logs = [];
    port = 0;
    /** Stopped with SIGSTOP and not yet continued: it will not answer. */
    paused = false;
    exitCode;
    exited;
    constructor(name, proc) {
        this.name = name;
        this.proc = proc;
        const collect = (chunk) => {
            for (const line of chunk.toString('utf8').split('\n')) {
                if (line === '')
                    continue;
                this.logs.push(line);
                if (this.logs.length > MAX_LOG_LINES)
                    this.logs.shift();
                const m = /listening on port (\d+)/.exec(line);
                if (m)
                    this.port = Number(m[1]);
            }
        };
        proc.stdout?.on('data', collect);
        proc.stderr?.on('data', collect);
        this.exited = new Promise((resolve) => proc.once('exit', (code, signal) => {
            this.exitCode = code ?? (signal ? null : code);
            resolve(code);
        }));
    }
    /** Starts `main` with `env` and waits until it listens. */
    static async start(name, main, env, timeoutMs = 30_000) {
        const proc = (0, node_child_process_1.spawn)(process.execPath, [main], {
            env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        const app = new AppProcess(name, proc);
        await (0, wait_for_1.waitFor)(() => ({ port: app.port, exited: app.exitCode !== undefined }), (s) => s.port > 0 || s.exited, { timeoutMs, what: `${name} to listen` });
        if (app.port === 0)
            throw new Error(`${name} exited before listening:\n${app.logs.slice(-40).join('\n')}`);
        return app;
    }
    get pid() {
        return this.proc.pid;
    }
    get url() {
        return `http://127.0.0.1:${this.port}`;
    }
    get running() {
        return this.exitCode === undefined;
    }
    signal(sig) {
        if (!this.running)
            return;
        this.proc.kill(sig);
        if (sig === 'SIGSTOP')
            this.paused = true;
        if (sig === 'SIGCONT')
            this.paused = false;
    }
    /** Sends `sig` and waits for the exit; SIGKILL if it outlives `timeoutMs`. Returns the exit code. */
    async stop(sig = 'SIGTERM', timeoutMs = 15_000) {
        if (!this.running)
            return this.exitCode ?? null;
        if (this.paused)
            this.signal('SIGCONT'); // a stopped process cannot handle SIGTERM
        this.proc.kill(sig);
        const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
        const code = await this.exited;
        clearTimeout(timer);
        return code;
    }
    waitExit() {
        return this.exited;
    }
    logsMatching(pattern) {
        return this.logs.filter((l) => pattern.test(l));
    }
}
exports.AppProcess = AppProcess;
//# sourceMappingURL=app-process.js.map