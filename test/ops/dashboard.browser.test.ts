import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TestCluster } from '../support/test-cluster';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the dashboard in headless Chromium', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  const outside: string[] = [];
  const pageErrors: string[] = [];
  /** Content-Security-Policy refusals, from the console and the violation events. */
  const cspViolations: string[] = [];

  const watchCsp = (p: Page): void => {
    p.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
        cspViolations.push(msg.text());
      }
    });
  };

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's browser with "apt-get install -y chromium" (the dashboard test needs it)`,
      );
    }
    cluster = await TestCluster.start({
      workers: [
        { id: 'dash-main', slots: 4, types: 'echo,sleep,hash' },
        { id: 'dash-fail', slots: 2, types: 'fail' },
      ],
      env: { DASHBOARD_SAMPLE_MS: '500' },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const origin = new URL(cluster.dispatcher.url).origin;
    page.on('request', (req) => {
      if (!req.url().startsWith(origin)) outside.push(req.url());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    watchCsp(page);
    await page.goto(cluster.dispatcher.url);
  });

  afterAll(async () => {
    if (page !== undefined) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page
        .screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true })
        .catch(() => undefined);
    }
    await browser?.close();
    await cluster?.stop();
  });

  it('shows the nodes of the running cluster with their status and slots', async () => {
    const main = page.locator('#nodes tbody tr[data-node="dash-main"]');
    const fail = page.locator('#nodes tbody tr[data-node="dash-fail"]');
    await main.waitFor({ timeout: 30_000 });
    await fail.waitFor({ timeout: 30_000 });
    await expectText(main, /alive/);
    await expectText(main, /0 \/ 4/);
    await expectText(fail, /0 \/ 2/);
    await expectText(page.locator('#leader'), /leader epoch \d+/);
  });

  it('shows a submitted task as it happens, and its detail with the attempt history', async () => {
    const res = await cluster.post('/tasks', { type: 'sleep', payload: { ms: 200 } });
    expect(res.status).toBe(201);
    const id: string = res.body.id;
    await page.locator(`#recent tr[data-task="${id}"]`).waitFor({ timeout: 30_000 });
    await page
      .locator(`#recent tr[data-task="${id}"][data-state="succeeded"]`)
      .waitFor({ timeout: 30_000 });

    await page.fill('#search-id', id);
    await page.click('#search button[type="submit"]');
    await expectText(page.locator('#detail dd[data-field="state"]'), /succeeded/);
    await expectText(page.locator('#attempts tbody'), /dash-main/);
    await expectText(page.locator('#attempts tbody'), /succeeded/);
  });

  it('re-queues a failed task with the retry button', async () => {
    const res = await cluster.post('/tasks', {
      type: 'fail',
      payload: { message: 'broken on purpose', retryable: false },
    });
    const id: string = res.body.id;
    await cluster.waitForTasks([id], ['failed']);
    // with no node for its type left, the retried task visibly waits in the queue
    await cluster.workers.get('dash-fail')!.stop('SIGTERM');

    const row = page.locator(`#failed tr[data-task="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expectText(row, /broken on purpose/);
    await row.locator('button.retry').click();

    const [view] = await cluster.waitForTasks([id], ['queued'], 30_000);
    expect(view.waitingReason).toMatch(/no node handles type fail/);
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await page
      .locator(`#recent tr[data-task="${id}"][data-state="queued"]`)
      .waitFor({ timeout: 30_000 });
  });

  it('cancels a waiting task with the cancel button', async () => {
    const res = await cluster.post('/tasks', { type: 'nobody.handles.this' });
    const id: string = res.body.id;
    await page.fill('#search-id', id);
    await page.click('#search button[type="submit"]');
    await expectText(page.locator('#detail dd[data-field="state"]'), /queued/);
    await page.click('#detail-cancel');
    await cluster.waitForTasks([id], ['cancelled'], 30_000);
    await expectText(page.locator('#detail dd[data-field="state"]'), /cancelled/);
  });

  it('draws the queue and throughput chart and lists waiting reasons', async () => {
    expect((await cluster.post('/tasks', { type: 'waits.for.a.node' })).status).toBe(201);
    await page.locator('#chart path.q').waitFor({ timeout: 30_000 });
    await expectText(
      page.locator('#queues tbody tr[data-type="waits.for.a.node"]'),
      /no node handles type waits\.for\.a\.node/,
    );
    await page.locator('#waiting li[data-reason="noNodeForType"]').waitFor({ timeout: 30_000 });
  });

  it('serves Swagger UI at /docs that works under the Content-Security-Policy', async () => {
    const docs = await browser.newPage();
    watchCsp(docs);
    docs.on('pageerror', (err) => pageErrors.push(`/docs: ${err.message}`));
    try {
      await docs.goto(`${cluster.dispatcher.url}/docs`);
      await expectText(docs.locator('.swagger-ui .info .title'), /Switchyard dispatcher/);
      await docs.locator('.opblock-tag-section').first().waitFor({ timeout: 30_000 });
      // open one operation: the UI renders it with its own scripts, styles and icons
      await docs.locator('.opblock-summary').first().click();
      await docs.locator('.opblock-body').first().waitFor({ timeout: 30_000 });
    } finally {
      await docs.close();
    }
  });

  it('loaded nothing from outside the dispatcher and raised no script or CSP errors', () => {
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});

async function expectText(
  locator: import('playwright-core').Locator,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: timeoutMs }).catch(() => null)) ?? '';
    if (pattern.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${pattern} in "${last}"`);
}
