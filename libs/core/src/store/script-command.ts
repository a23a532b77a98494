import { Command, type Redis } from 'ioredis';

/**
 * From this many characters of arguments on, a command goes on the wire as Buffers of about
 * PIECE_CHARS characters each, built here, rather than as ioredis's one string. That string is a rope of four pieces per
 * argument which the socket write flattens into one large string and copies again into a UTF-8
 * buffer of up to three times its length: for a 1,000-task submit (~400 KB) large allocations
 * whose fresh pages cost far more than the copying (on the bench host one 400 KB Buffer costs
 * ~10x what 25 of 16 KB cost). Small commands (every assign, finish and start call of a no-op
 * run) keep ioredis's string, which is cheaper for them.
 */
export const WIRE_PIECES_MIN_CHARS = 64 * 1024;
/**
 * ... and only when its arguments average at least this many characters: the pieces cost a
 * little per argument, which a few long records (a submit's, ~60 characters an argument with
 * 256-byte payloads) repay and many short ones do not. A 2,000-decision assign call (~90k
 * characters, ~12 an argument: task id, node id, incarnation) cost the dispatcher ~1 µs more per
 * decision in pieces (bench case 6, three alternating pairs, 100 and 1,000 nodes).
 */
export const WIRE_PIECES_MIN_MEAN_CHARS = 32;
/** Characters of arguments per piece: a piece ends with the argument that reaches it (UTF-8: at
 * most three bytes per character, so ~48 KB unless one argument is larger). */
const PIECE_CHARS = 16 * 1024;

/**
 * An FCALL whose wire bytes were built once, as pieces (see WIRE_PIECES_MIN_CHARS). ioredis
 * writes a command with `socket.write(command.toWritable(socket))`, so all pieces but the last
 * are written to that socket here, right before ioredis writes the last: the same bytes in the
 * same order. Only for `redis.sendCommand(command)` (as sendFcall sends it): a pipeline buffers
 * its commands before writing, and the early pieces would pass them.
 */
export class PrebuiltCommand extends Command {
  constructor(readonly pieces: readonly Buffer[]) {
    super('fcall', [], { replyEncoding: 'utf8' });
  }

  override toWritable(socket: object): Buffer {
    const write = (socket as { write?: unknown } | undefined)?.write;
    if (typeof write !== 'function') return Buffer.concat(this.pieces);
    const last = this.pieces.length - 1;
    for (let i = 0; i < last; i++) write.call(socket, this.pieces[i]);
    return this.pieces[last];
  }
}

/**
 * The RESP text of `FCALL` with these arguments as ioredis's `Command.toWritable` writes it
 * (`*<n>`, `$5 fcall`, then `$<bytes>` and the text per argument), in UTF-8 pieces. Each piece's
 * parts are joined once (a flat string) rather than concatenated (a rope of several strings per
 * argument: ~0.9 KB of garbage per task of a batch submit).
 */
function wirePieces(all: readonly string[]): Buffer[] {
  const pieces: Buffer[] = [];
  const parts: (string | number)[] = [`*${all.length + 1}\r\n$5\r\nfcall\r\n`];
  let chars = 0;
  // indexed loops: a batch submit runs this once, often before it is optimised, and an
  // unoptimised for-of allocates an iterator result per argument
  for (let i = 0; i < all.length; i++) {
    const arg = all[i];
    parts.push('$', Buffer.byteLength(arg), '\r\n', arg, '\r\n');
    chars += arg.length;
    if (chars >= PIECE_CHARS) {
      pieces.push(Buffer.from(parts.join(''), 'utf8'));
      parts.length = 0;
      chars = 0;
    }
  }
  if (parts.length > 0 || pieces.length === 0) pieces.push(Buffer.from(parts.join(''), 'utf8'));
  return pieces;
}

/**
 * `FCALL <fn> 1 <base> ...args`, sent the way `redis.fcall(fn, 1, base, ...args)` sends it, but
 * with the arguments as they are. ioredis's command methods copy every command's arguments with
 * `Array.prototype.flat()`, which costs ~0.25 µs per argument on Node 20: ~40 µs for the leader's
 * ~170-argument assign call, more than building the wire text; it was ~5% of the dispatcher's
 * CPU in case 1 and is paid again by workers (finish) and submitters (submit). Script arguments
 * are flat already (strings and numbers): they are only made text, as the constructor would.
 * What the method would also apply is kept: a connection with a keyPrefix, friendly error
 * stacks or auto-pipelining takes the method's path. A large command (a batch submit) is
 * written as pieces of the same bytes (WIRE_PIECES_MIN_CHARS).
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
  // the text ioredis makes of each argument in the constructor (toArg: String of a number)
  const all: string[] = [fn, '1', base];
  let chars = fn.length + base.length + 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const text = typeof a === 'string' ? a : String(a);
    all.push(text);
    chars += text.length;
  }
  const command =
    chars < WIRE_PIECES_MIN_CHARS || chars < all.length * WIRE_PIECES_MIN_MEAN_CHARS
      ? new Command('fcall', [], { replyEncoding: 'utf8' })
      : new PrebuiltCommand(wirePieces(all));
  command.args = all;
  return redis.sendCommand(command) as Promise<unknown>;
}
