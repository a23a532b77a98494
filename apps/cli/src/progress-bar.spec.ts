import { ProgressBar } from './progress-bar';

function sink(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

describe('the progress bar', () => {
  it('draws the share done', () => {
    const bar = new ProgressBar(4, sink(false).out, 8);
    expect(bar.render(0, '')).toBe('[--------] 0/4');
    expect(bar.render(1, 'running 3')).toBe('[##------] 1/4 running 3');
    expect(bar.render(4, 'succeeded 4')).toBe('[########] 4/4 succeeded 4');
  });

  it('prints a line per tenth in a log, not one per update', () => {
    const s = sink(false);
    const bar = new ProgressBar(100, s.out, 10);
    for (let done = 0; done <= 100; done++) bar.update(done, '');
    expect(s.text().trim().split('\n')).toHaveLength(11);
  });

  it('redraws one line on a terminal and ends it when done', () => {
    const s = sink(true);
    const bar = new ProgressBar(2, s.out, 4);
    bar.update(1, '');
    bar.update(2, '');
    expect(s.text()).toBe('\r[##--] 1/2\x1b[K\r[####] 2/2\x1b[K\n');
  });
});
