import { spawn } from 'node:child_process';
import { CLI_MAIN, runCli, type CliRun } from '../support/cli-runner';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';

describe('the switchyard CLI against a real cluster', () => {
  let cluster: TestCluster;
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runCli(cluster.dispatcher.url, args, env);

  beforeAll(async () => {
    cluster = await TestCluster.start({
      workers: [
        { id: 'cli-1', slots: 8 },
        { id: 'cli-2', slots: 2, types: 'sleep' },
      ],
    });
  });

  afterAll(async () => {
    await cluster.stop();
  });

  it('lists the nodes, for people and for scripts', async () => {
    const human = await cli(['nodes']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^node\s+status\s+slots/m);
    expect(human.stdout).toMatch(/cli-1\s+alive\s+0\/8/);
    const machine = await cli(['nodes', '--json']);
    const nodes = JSON.parse(machine.stdout);
    expect(nodes.map((n: { id: string }) => n.id).sort()).toEqual(['cli-1', 'cli-2']);
  });

  it('submits a task, waits for it and shows it with its attempts', async () => {
    const run = await cli(['submit', 'echo', '{"hello":"cli"}', '--wait', '--json']);
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view).toMatchObject({ type: 'echo', state: 'succeeded', result: { hello: 'cli' } });

    const get = await cli(['get', view.id]);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain(`${view.id}  echo  succeeded  attempts 1/`);
    expect(get.stdout).toMatch(/^1\s+cli-1\s+/m);
  });

  it('submits many tasks and shows a progress bar while it waits', async () => {
    const run = await cli(['submit', 'sleep', '{"ms":20}', '--count', '40', '--wait']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('40 task(s): succeeded 40');
    const bars = run.stderr.trim().split('\n');
    expect(bars[bars.length - 1]).toBe(`[${'#'.repeat(30)}] 40/40 succeeded 40`);
    expect(bars.every((b) => /^\[[#-]{30}\] \d+\/40/.test(b))).toBe(true);
  });

  it('exits 3 when a task it waited for did not succeed, naming it', async () => {
    const run = await cli(['submit', 'fail', '{"message":"nope","retryable":false}', '--wait']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/fail\s+failed/);
    expect(run.stdout).toContain('error: nope');
  });

  it('follows a task with watch until it ends', async () => {
    const submitted = JSON.parse((await cli(['submit', 'sleep', '{"ms":300}', '--json'])).stdout);
    const watch = await cli(['watch', '--task', submitted.id]);
    expect(watch.code).toBe(0);
    const states = watch.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/)[3]);
    expect(states[0]).toBe('queued');
    expect(states[states.length - 1]).toBe('succeeded');
    expect(states).toContain('assigned');
  });

  it('streams changes as JSON lines with watch --json until interrupted', async () => {
    // --from-start: everything still in the stream, so the watcher misses nothing submitted before it connected
    const child = spawn(
      process.execPath,
      [CLI_MAIN, 'watch', '--type', 'hash', '--json', '--from-start'],
      {
        env: { PATH: process.env.PATH ?? '', SWITCHYARD_URL: cluster.dispatcher.url },
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const id: string = (await cluster.post('/tasks', { type: 'hash', payload: { rounds: 1 } }))
        .body.id;
      await waitFor(
        () => out,
        (o) => o.includes(`"subject":"${id}"`) && o.includes('"state":"succeeded"'),
        { timeoutMs: 30_000, what: 'the hash task in the watch output' },
      );
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.every((e: { type: string }) => e.type === 'hash')).toBe(true);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('lists failed tasks, retries one and cancels another', async () => {
    const failed = JSON.parse(
      (await cli(['submit', 'fail', '{"message":"boom","retryable":false}', '--wait', '--json']))
        .stdout,
    );
    const list = await cli(['list', '--state', 'failed']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(failed.id);
    expect(list.stdout).toContain('boom');
    const listed = JSON.parse((await cli(['list', '--state', 'failed', '--json'])).stdout);
    expect(listed.tasks.some((t: { id: string }) => t.id === failed.id)).toBe(true);

    const retry = await cli(['retry', failed.id]);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain(`re-queued ${failed.id}`);
    await waitFor(
      () => cluster.get(`/tasks/${failed.id}`),
      (r) => r.body.history.length >= 2,
      { timeoutMs: 30_000, what: 'the retried attempt' },
    );

    const waiting = JSON.parse((await cli(['submit', 'nobody.runs.this', '--json'])).stdout);
    const cancel = await cli(['cancel', waiting.id]);
    expect(cancel.code).toBe(0);
    expect((await cluster.get(`/tasks/${waiting.id}`)).body.state).toBe('cancelled');
    const again = await cli(['cancel', waiting.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/409/);
  });

  it('drains a node', async () => {
    const run = await cli(['drain', 'cli-2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('draining cli-2');
    await cluster
      .waitForNode('cli-2', (n) => n.status === 'draining' || n.status === 'dead')
      .catch(async () => {
        const nodes = (await cluster.get('/nodes')).body.nodes;
        expect(nodes.some((n: { id: string }) => n.id === 'cli-2')).toBe(false);
      });
  });

  it('says what is wrong: unknown task, bad usage, unreachable dispatcher', async () => {
    const missing = await cli(['get', '01M8D3ZHTN946B1AXM00FC59FA']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    const usage = await cli(['submit']);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toMatch(/needs a task type/);
    const typo = await cli(['nodes', '--jsn']);
    expect(typo.code).toBe(64);
    const down = await cli(['nodes'], { SWITCHYARD_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach the dispatcher/);
  });
});
