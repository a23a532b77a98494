import { AnnouncedHeads } from './announced-heads';

describe('lone tasks announced once so far', () => {
  it('tells the second announcement of a task from the first, once', () => {
    const heads = new AnnouncedHeads();
    expect([heads.repeated('a'), heads.repeated('a'), heads.repeated('a')]).toEqual([
      false,
      true,
      false,
    ]);
  });

  it('forgets the oldest task announced once when full', () => {
    const heads = new AnnouncedHeads(2);
    heads.repeated('a');
    heads.repeated('b');
    heads.repeated('c');
    expect([heads.repeated('a'), heads.repeated('c'), heads.repeated('b')]).toEqual([
      false,
      true,
      false,
    ]);
  });
});
