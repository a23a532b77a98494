import { Command, type Redis } from 'ioredis';

/**
 * `FCALL <fn> 1 <base> ...args`, sent the way `redis.fcall(fn, 1, base, ...args)` sends it, but
 * with the arguments as they are. ioredis's command methods copy every command's arguments with
 * `Array.prototype.flat()`, which costs ~0.25 µs per argument on Node 20: ~40 µs for the leader's
 * ~170-argument assign call, more than building the wire text; it was ~5% of the dispatcher's
 * CPU in case 1 and is paid again by workers (finish) and submitters (submit). Script arguments
 * are flat already (strings and numbers): they are only made text, as the constructor would.
 * What the method would also apply is kept: a connection with a keyPrefix, friendly error
 * stacks or auto-pipelining takes the method's path.
 */
export function sendFcall(
  redis: Redis,
  fn: string,
  base: string,
  args: readonly (string | number)[],
): Promise<unknown> {
  const o = redis.options as {
    keyPrefix?: string;
    showFriendlyErrorStack?: boolean;
    enableAutoPipelining?: boolean;
  };
  if (o.keyPrefix || o.showFriendlyErrorStack || o.enableAutoPipelining)
    return redis.fcall(fn, 1, base, ...args);
  const command = new Command('fcall', [], { replyEncoding: 'utf8' });
  // the text ioredis makes of each argument in the constructor (toArg: String of a number)
  const all: string[] = [fn, '1', base];
  for (const a of args) all.push(typeof a === 'string' ? a : String(a));
  command.args = all;
  return redis.sendCommand(command) as Promise<unknown>;
}
