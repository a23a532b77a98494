import { flagInt, onlyFlags, parseArgs, UsageError } from './cli-args';

describe('command-line parsing', () => {
  const booleans = new Set(['json', 'wait']);

  it('splits the command, positional arguments and flags in their forms', () => {
    const args = parseArgs(
      ['submit', 'echo', '{"a":1}', '--priority', '5', '--json', '--delay-ms=200', '--wait'],
      booleans,
    );
    expect(args.command).toBe('submit');
    expect(args.positional).toEqual(['echo', '{"a":1}']);
    expect(Object.fromEntries(args.flags)).toEqual({
      priority: '5',
      json: true,
      'delay-ms': '200',
      wait: true,
    });
  });

  it('does not let a boolean flag swallow the next word', () => {
    const args = parseArgs(['submit', '--wait', 'echo'], booleans);
    expect(args.positional).toEqual(['echo']);
    expect(args.flags.get('wait')).toBe(true);
  });

  it('checks integer flags and refuses unknown flags with a usage error', () => {
    const args = parseArgs(['submit', 'x', '--priority', 'high', '--jsn'], booleans);
    expect(() => flagInt(args, 'priority', -1000, 1000)).toThrow(
      /--priority must be an integer from -1000 to 1000/,
    );
    expect(() => onlyFlags(args, ['priority', 'json'])).toThrow(UsageError);
    expect(() => parseArgs(['--BAD'], booleans)).toThrow(UsageError);
  });
});
