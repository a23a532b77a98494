/** A parsed command line: the command, its positional arguments and its --flags. */
export interface CliArgs {
  command: string | undefined;
  positional: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {}

/** `--name value`, `--name=value`, or a bare `--name` (true) when the next word is another flag or absent. */
export function parseArgs(argv: readonly string[], booleanFlags: ReadonlySet<string>): CliArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('--') || word === '--') {
      positional.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = eq > 0 ? word.slice(2, eq) : word.slice(2);
    if (!/^[a-z][a-z-]*$/.test(name)) throw new UsageError(`bad option ${word}`);
    if (eq > 0) flags.set(name, word.slice(eq + 1));
    else if (booleanFlags.has(name) || i + 1 >= argv.length || argv[i + 1].startsWith('--'))
      flags.set(name, true);
    else flags.set(name, argv[++i]);
  }
  const [command, ...rest] = positional;
  return { command, positional: rest, flags };
}

export function flagString(args: CliArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function flagInt(args: CliArgs, name: string, min: number, max: number): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** Refuses flags the command does not know: a typo must not be silently ignored. */
export function onlyFlags(args: CliArgs, allowed: readonly string[]): void {
  for (const name of args.flags.keys()) {
    if (!allowed.includes(name)) throw new UsageError(`${args.command} does not take --${name}`);
  }
}
