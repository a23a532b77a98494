import { Logger } from '@nestjs/common';
import { BusDrops } from './bus-drops';

describe('BusDrops', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('counts drops by pattern and reason', () => {
    const drops = new BusDrops();
    drops.record('tasks.finished', 'invalid', 'x');
    drops.record('tasks.finished', 'invalid', 'x');
    drops.record('node.assigned', 'oversized', 'x');
    expect(drops.entries()).toEqual([
      { pattern: 'tasks.finished', reason: 'invalid', count: 2 },
      { pattern: 'node.assigned', reason: 'oversized', count: 1 },
    ]);
    expect(drops.total()).toBe(3);
  });

  it('logs at most one warning per 10 s window, then says how many it left out', () => {
    let now = 1_000_000;
    const drops = new BusDrops(() => now);
    for (let i = 0; i < 10_000; i++) drops.record('tasks.submitted', 'unparseable', 'not JSON');
    expect(warn).toHaveBeenCalledTimes(1);
    now += 10_000;
    drops.record('tasks.submitted', 'invalid', 'count must be an integer');
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1][0]).toContain('9999 more dropped since the last warning');
    expect(warn.mock.calls[1][0]).toContain('tasks.submitted message (invalid)');
  });

  it('writes its counts into a counter sink, replacing what it held', () => {
    const drops = new BusDrops();
    drops.record('node.drain', 'malformed', 'x');
    const sink = { reset: jest.fn(), inc: jest.fn() };
    drops.copyTo(sink);
    expect(sink.reset).toHaveBeenCalledTimes(1);
    expect(sink.inc).toHaveBeenCalledWith({ pattern: 'node.drain', reason: 'malformed' }, 1);
  });
});
