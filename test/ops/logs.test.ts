import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

function jsonLines(logs: readonly string[]): Record<string, unknown>[] {
  return logs.map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      return {};
    }
  });
}

describe('structured logs', () => {
  it('writes JSON lines with the app, the node and the task id, at LOG_LEVEL', async () => {
    const cluster = await TestCluster.start({
      workers: [{ id: 'log-1' }],
      env: { LOG_LEVEL: 'debug' },
    });
    try {
      const res = await cluster.post('/tasks', {
        type: 'fail',
        payload: { message: 'logged', retryable: false },
      });
      await cluster.waitForTasks([res.body.id]);
      const dispatcher = await waitFor(
        () => jsonLines(cluster.dispatcher.logs),
        (lines) => lines.some((l) => l.taskId === res.body.id),
        { what: 'a dispatcher line with the task id' },
      );
      expect(cluster.dispatcher.logs.every((l) => l.startsWith('{'))).toBe(true);
      const request = dispatcher.find((l) => l.taskId === res.body.id)!;
      expect(request).toMatchObject({
        app: 'dispatcher',
        level: expect.any(Number),
        time: expect.any(Number),
      });

      const worker = jsonLines(cluster.workers.get('log-1')!.logs);
      expect(worker.length).toBeGreaterThan(0);
      expect(worker.every((l) => l.app === 'worker' && l.node === 'log-1')).toBe(true);
      expect(worker.some((l) => l.taskId === res.body.id && String(l.msg).includes('logged'))).toBe(
        true,
      );
    } finally {
      await cluster.stop();
    }
  });

  it('leaves out lines below LOG_LEVEL, and prints readable lines with LOG_PRETTY', async () => {
    const quiet = await TestCluster.start({ env: { LOG_LEVEL: 'warn' } });
    try {
      // the harness's "listening on port" line is printed whatever the level; nothing else at info
      const info = jsonLines(quiet.dispatcher.logs).filter((l) => l.level === 30);
      expect(info.map((l) => l.msg)).toEqual([expect.stringMatching(/^listening on port \d+$/)]);
    } finally {
      await quiet.stop();
    }
    const pretty = await TestCluster.start({ env: { LOG_PRETTY: 'true', LOG_LEVEL: 'info' } });
    try {
      const line = pretty.dispatcher.logs.find((l) => /listening on port/.test(l))!;
      expect(line.startsWith('{')).toBe(false);
      expect(line).toMatch(/INFO/);
    } finally {
      await pretty.stop();
    }
  });
});
