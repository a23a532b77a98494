import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TestCluster } from '../support/test-cluster';
import { waitFor } from '../support/wait-for';
import { bearer, makeTestKeys } from './api-keys.fixture';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'];

/** AUTH_PUBLIC_DASHBOARD: the page loads without a key, asks for one, then shows live data. */
describe('the dashboard behind API keys, in headless Chromium', () => {
  const keys = makeTestKeys();
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const sentKeys: string[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's browser with "apt-get install -y chromium"`,
      );
    }
    cluster = await TestCluster.start({
      workers: 0,
      env: { API_KEYS: keys.apiKeys, AUTH_PUBLIC_DASHBOARD: 'true' },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('request', (req) => {
      const auth = req.headers().authorization;
      if (auth !== undefined) sentKeys.push(`${new URL(req.url()).pathname} ${auth}`);
    });
    await page.goto(cluster.dispatcher.url);
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it('asks for a key when its data calls get 401', async () => {
    await page.locator('#key-form').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.textContent('#key-note')).toMatch(/needs an API key/);
  });

  it('says so when the key is refused, and asks again', async () => {
    await page.fill('#key-input', 'not-a-key');
    await page.click('#key-form button[type="submit"]');
    await page.locator('#key-form').waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor(
      () => page.textContent('#key-note'),
      (text) => /refused/.test(text ?? ''),
      { what: 'the key note to say the key was refused' },
    );
  });

  it('with a reading key, shows the data and streams task events with the key as bearer', async () => {
    await page.fill('#key-input', keys.only['tasks:read'].key);
    await page.click('#key-form button[type="submit"]');
    await page.locator('#key-form').waitFor({ state: 'hidden', timeout: 30_000 });
    await waitFor(
      () => page.textContent('#leader'),
      (text) => /leader epoch \d+/.test(text ?? ''),
      { what: 'the dashboard to show the leader' },
    );
    const submitted = await cluster.request(
      'POST',
      '/tasks',
      { type: 'echo', payload: {} },
      bearer(keys.all),
    );
    expect(submitted.status).toBe(201);
    await page
      .locator(`#recent tr[data-task="${submitted.body.id as string}"]`)
      .waitFor({ timeout: 30_000 });
    const expected = `Bearer ${keys.only['tasks:read'].key}`;
    expect(sentKeys).toContain(`/events ${expected}`);
    expect(sentKeys).toContain(`/dashboard/summary ${expected}`);
    expect(await page.evaluate('sessionStorage.getItem("switchyard.apiKey")')).toBe(
      keys.only['tasks:read'].key,
    );
  });

  it('raised no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
