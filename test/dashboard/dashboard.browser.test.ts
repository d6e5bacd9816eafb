import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, KillSwitchError, startDashboard, summarizeSpend, TokenFence } from '../../src/index.js';
import type { MockProvider } from '../../src/testing/index.js';
import { anthropicClient, chatMessages, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

/**
 * End to end in a real headless Chromium (Debian's `chromium`; `.ci/run` installs it). Without a browser the
 * suite fails under `TOKENFENCE_REQUIRE_BROWSER=1` (CI) and is skipped, loudly, elsewhere.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.TOKENFENCE_REQUIRE_BROWSER === '1') {
  throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
}
if (!haveBrowser) console.warn(`dashboard browser tests skipped: no Chromium at ${CHROMIUM}`);

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const NORMAL_RUNS = 8;

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

/** A research workflow: planner → two researchers → writer (Anthropic) → reviewer held under a budget that forces a downgrade. */
async function scriptedRuns(fence: TokenFence) {
  const openai = fence.guard(openAIClient(mock));
  const anthropic = fence.guard(anthropicClient(mock));
  const reviewer = fence.guard(openAIClient(mock), { label: 'review-desk', budget: 0.001, fallback: 'gpt-4o-mini' });
  const ask = (client: typeof openai, model: string) =>
    client.chat.completions.create({ model, max_tokens: 200, messages: chatMessages });
  const oneRun = (runId: string, researchCalls: number) =>
    fence.run({ workflow: 'research-report', runId }, async () => {
      await fence.agent('planner', () => ask(openai, 'gpt-4o'));
      for (let index = 0; index < researchCalls; index += 1)
        await fence.agent('researcher', () => ask(openai, 'gpt-4o'));
      await fence.agent('writer', () =>
        anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 200, messages: chatMessages }),
      );
      await fence.agent('reviewer', () => ask(reviewer, 'gpt-4o'));
    });
  for (let index = 0; index < NORMAL_RUNS; index += 1) await oneRun(`run-${index}`, 2);
  await oneRun('run-outlier', 12);
}

describe.skipIf(!haveBrowser)('dashboard in a real browser', () => {
  let fence: TokenFence;
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    mock.setScenario({ inputTokens: 100, outputTokens: 100 });
    const dir = mkdtempSync(join(tmpdir(), 'tokenfence-dashboard-'));
    fence = new TokenFence({
      label: 'service',
      budget: { usd: 5, per: 'day' },
      store: `sqlite:${join(dir, 'ledger.db')}`,
      anomaly: { minRuns: 5, multiple: 2, rateMultiple: 1_000 },
    });
    await scriptedRuns(fence);
    dashboard = await startDashboard({ fence, pollMs: 100 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    await page.goto(dashboard.url);
    await page.waitForSelector('[data-agent]');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    fence?.close();
  });

  it('draws cost by agent role with the report layer’s numbers', async () => {
    const report = summarizeSpend(fence.store, { by: 'agent' });
    const expected = report.by === 'agent' ? report.rows.map((row) => [row.agent, row.costNanos / 1e9]) : [];
    const drawn = await page.$$eval('[data-agent]', (groups) =>
      groups.map((group) => [group.getAttribute('data-agent'), Number(group.getAttribute('data-cost'))]),
    );
    expect(drawn).toEqual(expected);
    expect(drawn.map(([agent]) => agent)).toEqual(
      expect.arrayContaining(['planner', 'researcher', 'writer', 'reviewer']),
    );
    expect(await page.textContent('#total')).toBe(`$${(report.totalNanos / 1e9).toFixed(4)}`);
    expect(await page.textContent('[data-budget="service"]')).toMatch(/of \$5\.0000 per day/);
    expect(await page.textContent('[data-budget="review-desk"]')).toContain(
      // Nine downgraded reviews at $0.000075 each.
      '$0.000675 spent, $0.0000 held of $0.001000',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-overview.png'), fullPage: true });
  });

  it('plots every run, marks the outlier and draws the workflow’s p50/p99 baseline', async () => {
    await page.selectOption('#workflow', 'research-report');
    // An SVG line has no height, so it is never "visible" to Playwright: wait for it to be in the page.
    await page.waitForSelector('line.p99', { state: 'attached' });
    expect(await page.locator('circle.point').count()).toBe(NORMAL_RUNS + 1);
    expect(
      await page.$$eval('circle.point.anomaly', (points) =>
        points.map((point) => point.closest('a')?.getAttribute('data-run-id')),
      ),
    ).toEqual(['run-outlier']);
    expect(await page.textContent('#baseline-note')).toMatch(/p50 \$[\d.]+ · p99 \$[\d.]+/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-runs.png'), fullPage: true });
  });

  it('sorts runs by cost and drills into one run’s agent → call tree, downgrades included', async () => {
    await page.click('#runs th[data-sort="costUsd"]');
    const first = page.locator('#runs tbody tr').first();
    expect(await first.getAttribute('data-run-id')).toBe('run-outlier');
    await first.click();
    await page.waitForSelector('#run-detail tr[data-call]');
    expect(await page.locator('#run-detail tr[data-call]').count()).toBe(1 + 12 + 1 + 1);
    expect(
      await page.$$eval('#run-detail h3[data-detail-agent]', (heads) => heads.map((head) => head.dataset.detailAgent)),
    ).toEqual(expect.arrayContaining(['planner', 'researcher', 'writer', 'reviewer']));
    // The scripted runs have no budget of their own; the live run below has one.
    expect(await first.textContent()).toContain('no limit');
    const review = page.locator('#run-detail tr[data-model-used="gpt-4o-mini"]');
    expect(await review.count()).toBe(1);
    expect(await review.textContent()).toContain('downgraded');
    const costs = await page.$$eval('#run-detail tr[data-call]', (rows) =>
      rows.map((row) => Number(row.getAttribute('data-cost'))),
    );
    const runs = summarizeSpend(fence.store, { by: 'run', runId: 'run-outlier' });
    const runNanos = runs.by === 'run' ? runs.rows[0]?.costNanos : undefined;
    expect(Math.round(costs.reduce((sum, cost) => sum + cost, 0) * 1e9)).toBe(runNanos);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-run-detail.png'), fullPage: true });
  });

  it('stops a live run from its kill button, through the same kill switch as run.kill()', async () => {
    mock.setScenario({ inputTokens: 100, outputTokens: 100, delayMs: 30 });
    const openai = fence.guard(openAIClient(mock));
    let sent = 0;
    const live = fence
      .run({ workflow: 'research-report', runId: 'run-live', budget: 1 }, async () => {
        for (;;) {
          await fence.agent('researcher', () =>
            openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: chatMessages }),
          );
          sent += 1;
        }
      })
      .catch((error: unknown) => error);
    const button = page.locator('button[data-kill-run="run-live"]');
    await button.waitFor({ timeout: 10_000 });
    await page.waitForSelector('#live li');
    await button.click();
    expect(await live).toBeInstanceOf(KillSwitchError);
    const sentAtKill = sent;
    await page.waitForSelector('tr[data-run-id="run-live"] .tag');
    expect(await page.textContent('tr[data-run-id="run-live"]')).toMatch(/\d+% of \$1\.0000/);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(sent).toBe(sentAtKill);
    expect(fence.activeRuns).toHaveLength(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-killed.png'), fullPage: true });
  });

  it('shows nothing without the token or under a foreign Host', async () => {
    const anonymous = await browser.newPage();
    const response = await anonymous.goto(`http://127.0.0.1:${dashboard.port}/`);
    expect(response?.status()).toBe(401);
    expect(await anonymous.content()).not.toContain('research-report');
    await anonymous.close();
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(
        {
          host: '127.0.0.1',
          port: dashboard.port,
          path: `/${new URL(dashboard.url).search}`,
          headers: { host: 'attacker.test' },
        },
        (incoming) => {
          incoming.resume();
          resolve(incoming.statusCode ?? 0);
        },
      );
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(status).toBe(403);
  });
});
