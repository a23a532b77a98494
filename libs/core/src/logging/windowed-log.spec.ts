import { WindowedLog } from './windowed-log';

describe('WindowedLog', () => {
  it('lets one line through per window and tells the next how many it held back', () => {
    let now = 0;
    const log = new WindowedLog(1000, () => now);
    expect(log.admit()).toEqual({ heldBack: 0 });
    now = 999;
    expect(log.admit()).toBeNull();
    expect(log.admit()).toBeNull();
    now = 1000;
    expect(log.admit()).toEqual({ heldBack: 2 });
    now = 1500;
    expect(log.admit()).toBeNull();
    now = 5000;
    expect(log.admit()).toEqual({ heldBack: 1 });
  });
});
