#!/usr/bin/env node
import { parseArgs, UsageError } from './cli-args';
import { DispatcherClient, RequestError } from './dispatcher-client';
import { drain, nodes } from './node-commands';
import { control, get, list, submit, type CommandResult } from './task-commands';
import { watch } from './watch-command';

const USAGE = `switchyard: the Switchyard dispatcher from the command line (over HTTP)

usage: switchyard <command> [arguments] [--json] [--url URL]

  submit <type> [payload-json]   submit a task; --priority N --delay-ms N --max-attempts N
                                 --timeout-ms N --idempotency-key K --strategy S
         --count N               submit N copies (in batches)
         --file F                submit the tasks of a JSON array or JSON-lines file (- = stdin)
         --wait [--timeout S]    wait until they end (a progress bar for many); exit 3 if any did not succeed
  get <task-id>                  a task with its attempt history
  list [--state S]               tasks in a state (default failed); --type T --limit N --cursor C
  nodes                          worker nodes: status, slots, heartbeat
  cancel <task-id>               cancel a waiting or running task
  retry <task-id>                re-queue a failed or cancelled task
  drain <node-id>                stop giving a node work; it finishes what it runs and leaves
  watch                          follow task and node changes (GET /events); --task ID (ends with
                                 the task) --type T --kind task|node --from-start

  --json        machine-readable output
  --url URL     the dispatcher (default: SWITCHYARD_URL, else http://127.0.0.1:3000)
  SWITCHYARD_API_KEY, when set, is sent as a bearer token.

exit codes: 0 ok, 1 the dispatcher refused, 2 the dispatcher cannot be reached, 3 a task did not succeed, 64 bad usage`;

const BOOLEAN_FLAGS = new Set(['json', 'wait', 'from-start', 'help']);

async function run(argv: readonly string[], signal: AbortSignal): Promise<CommandResult> {
  const args = parseArgs(argv, BOOLEAN_FLAGS);
  if (args.command === undefined || args.command === 'help' || args.flags.has('help'))
    return { out: USAGE, code: 0 };
  const url =
    (args.flags.get('url') as string | undefined) ??
    process.env.SWITCHYARD_URL ??
    'http://127.0.0.1:3000';
  if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url))
    throw new UsageError(`--url must be an http(s) URL`);
  const client = new DispatcherClient(url.replace(/\/+$/, ''), process.env.SWITCHYARD_API_KEY);
  switch (args.command) {
    case 'submit':
      return submit(client, args);
    case 'get':
      return get(client, args);
    case 'list':
      return list(client, args);
    case 'nodes':
      return nodes(client, args);
    case 'cancel':
      return control(client, args, 'cancel');
    case 'retry':
      return control(client, args, 'retry');
    case 'drain':
      return drain(client, args);
    case 'watch':
      return watch(client, args, (line) => process.stdout.write(`${line}\n`), signal);
    default:
      throw new UsageError(`unknown command "${args.command}"`);
  }
}

function main(): void {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  run(process.argv.slice(2), stop.signal)
    .then(({ out, code }) => {
      if (out !== '') process.stdout.write(`${out}\n`);
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`switchyard: ${err.message}\nrun "switchyard help" for usage\n`);
        process.exitCode = 64;
      } else if (err instanceof RequestError) {
        process.stderr.write(`switchyard: ${err.message}\n`);
        process.exitCode = err.status === null ? 2 : 1;
      } else {
        process.stderr.write(`switchyard: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}

main();
