import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { webhookPayload } from '../src/alerts/webhook-payload.js';
import { type BudgetAlertEvent, TokenFence } from '../src/index.js';
import { createFakeClock, type MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

// gpt-4o: $2.50 / 1M input, $10 / 1M output; 10 input + 1,000 output tokens a call.
const CALL = { model: 'gpt-4o', messages: chatMessages, max_tokens: 1_000 } as const;
const CALL_NANOS = 10 * 2_500 + 1_000 * 10_000;

type Check = (body: unknown) => string[];

/**
 * Slack incoming webhooks (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks):
 * `text` (required as the notification fallback once `blocks` are given) and Block Kit blocks
 * (https://docs.slack.dev/reference/block-kit/blocks): at most 50; header = plain_text ≤ 150 chars; section
 * = text (≤ 3000) and/or fields (≤ 10, each ≤ 2000); context = 1–10 mrkdwn/plain_text/image elements.
 */
const slackShape: Check = (body) => {
  const problems: string[] = [];
  const message = body as { text?: unknown; blocks?: unknown };
  if (typeof message.text !== 'string' || message.text === '' || message.text.length > 40_000) problems.push('text');
  if (!Array.isArray(message.blocks) || message.blocks.length === 0 || message.blocks.length > 50) {
    return [...problems, 'blocks'];
  }
  const textObject = (value: unknown, max: number, types: string[]) => {
    const object = value as { type?: unknown; text?: unknown };
    return (
      typeof object?.text === 'string' &&
      object.text.length > 0 &&
      object.text.length <= max &&
      types.includes(String(object.type))
    );
  };
  for (const [index, block] of (message.blocks as { type?: string; [key: string]: unknown }[]).entries()) {
    if (block.type === 'header') {
      if (!textObject(block.text, 150, ['plain_text'])) problems.push(`blocks[${index}].text`);
    } else if (block.type === 'section') {
      const fields = block.fields as unknown[] | undefined;
      if (block.text === undefined && fields === undefined) problems.push(`blocks[${index}] empty`);
      if (block.text !== undefined && !textObject(block.text, 3_000, ['mrkdwn', 'plain_text']))
        problems.push(`blocks[${index}].text`);
      if (
        fields !== undefined &&
        (!Array.isArray(fields) ||
          fields.length > 10 ||
          fields.some((field) => !textObject(field, 2_000, ['mrkdwn', 'plain_text'])))
      )
        problems.push(`blocks[${index}].fields`);
    } else if (block.type === 'context') {
      const elements = block.elements as unknown[];
      if (
        !Array.isArray(elements) ||
        elements.length === 0 ||
        elements.length > 10 ||
        elements.some((element) => !textObject(element, 3_000, ['mrkdwn', 'plain_text']))
      )
        problems.push(`blocks[${index}].elements`);
    } else problems.push(`blocks[${index}].type ${String(block.type)}`);
  }
  return problems;
};

/**
 * Teams Workflows webhooks take Adaptive Cards only
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using):
 * `{ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }] }`,
 * the card `{ type: 'AdaptiveCard', version ≤ 1.5, body }` (https://adaptivecards.io/explorer/): TextBlock needs
 * `text`; FactSet needs `facts` of `{ title, value }` strings.
 */
const teamsShape: Check = (body) => {
  const envelope = body as { type?: unknown; attachments?: { contentType?: unknown; content?: unknown }[] };
  if (envelope.type !== 'message' || !Array.isArray(envelope.attachments) || envelope.attachments.length !== 1) {
    return ['envelope'];
  }
  const attachment = envelope.attachments[0] as { contentType?: unknown; content?: unknown };
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') return ['contentType'];
  const card = attachment.content as { type?: unknown; version?: unknown; body?: unknown };
  const problems: string[] = [];
  if (card?.type !== 'AdaptiveCard') problems.push('card.type');
  if (typeof card?.version !== 'string' || !/^1\.[0-5]$/.test(card.version)) problems.push('card.version');
  if (!Array.isArray(card?.body) || card.body.length === 0) return [...problems, 'card.body'];
  for (const [index, element] of (card.body as { type?: unknown; text?: unknown; facts?: unknown }[]).entries()) {
    if (element.type === 'TextBlock') {
      if (typeof element.text !== 'string' || element.text === '') problems.push(`body[${index}].text`);
    } else if (element.type === 'FactSet') {
      const facts = element.facts as { title?: unknown; value?: unknown }[];
      if (
        !Array.isArray(facts) ||
        facts.some((fact) => typeof fact.title !== 'string' || typeof fact.value !== 'string')
      )
        problems.push(`body[${index}].facts`);
    } else problems.push(`body[${index}].type`);
  }
  return problems;
};

/** What a person reads in a Teams card: its text blocks and facts. */
function teamsText(body: unknown): string {
  const card = (body as { attachments: { content: { body: { text?: string; facts?: object[] }[] } }[] }).attachments[0]
    ?.content;
  return (card?.body ?? [])
    .flatMap((element) =>
      element.text
        ? [element.text]
        : (element.facts as { title: string; value: string }[]).map((fact) => `${fact.title} ${fact.value}`),
    )
    .join('\n');
}

/** A receiver per format, as the real services answer: 200 "ok" (Slack), 202 (Teams Workflows), 204 (json). */
let server: Server;
let base: string;
const received: { path: string; body: unknown; problems: string[]; auth: string | undefined }[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      const path = request.url ?? '';
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const check: Check = path.startsWith('/slack') ? slackShape : path.startsWith('/teams') ? teamsShape : () => [];
      const problems = body === undefined ? ['not JSON'] : check(body);
      received.push({ path, body, problems, auth: request.headers.authorization });
      if (problems.length > 0) response.writeHead(400).end(problems.join(', '));
      else if (path.startsWith('/slack')) response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else response.writeHead(path.startsWith('/teams') ? 202 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('alert webhooks in Slack, Teams and JSON formats', () => {
  it('one alert goes to every webhook, each in its format, valid for its receiver, naming the scope and figures', async () => {
    received.length = 0;
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const budgetUsd = (CALL_NANOS * 4) / 1e9;
    const fence = new TokenFence({
      label: 'support-bot',
      store: 'memory',
      budget: budgetUsd,
      alerts: {
        thresholds: [0.5],
        webhook: [
          { url: `${base}/slack/T000/B000/secret`, format: 'slack' },
          { url: `${base}/teams/workflow`, format: 'teams', headers: { authorization: 'Bearer t' } },
          `${base}/json`,
        ],
      },
    });
    const client = fence.guard(openAIClient(mock), { label: 'writer' });
    await client.chat.completions.create(CALL);
    expect(received).toHaveLength(0);
    await client.chat.completions.create(CALL); // 2 of 4 calls: 50 %
    await vi.waitFor(() => expect(received).toHaveLength(3), { timeout: 5_000 });
    for (const delivery of received) expect(delivery.problems).toEqual([]);

    const slack = received.find((delivery) => delivery.path.startsWith('/slack'))?.body as { text: string };
    const spent = `$${((2 * CALL_NANOS) / 1e9).toFixed(2)}`;
    const budget = `$${budgetUsd.toFixed(2)}`;
    expect(slack.text).toBe(
      `TokenFence: support-bot reached 50.0% of its budget: spent ${spent}, budget ${budget}, share 50.0%.`,
    );
    const teams = received.find((delivery) => delivery.path.startsWith('/teams'));
    expect(teams?.auth).toBe('Bearer t');
    const teamsWords = teamsText(teams?.body);
    for (const words of [
      'support-bot reached 50.0% of its budget',
      `Spent ${spent}`,
      `Budget ${budget}`,
      'Share 50.0%',
    ])
      expect(teamsWords).toContain(words);
    const json = received.find((delivery) => delivery.path === '/json')?.body;
    expect(json).toMatchObject({
      source: 'tokenfence',
      text: slack.text,
      event: { type: 'budget-alert', threshold: 0.5, path: ['support-bot'] },
    });
  });

  it("a windowed budget's alert quotes its forecast: spend at the window's end and when the budget runs out", async () => {
    received.length = 0;
    mock.setScenario({ inputTokens: 10, outputTokens: 1_000 });
    const dayStart = Date.UTC(2026, 0, 1);
    const hour = 3_600_000;
    const clock = createFakeClock(dayStart);
    // A budget of 8 calls a day; 4 calls by 06:00 reach 50 %, at a pace of 16 calls a day.
    const fence = new TokenFence({
      label: 'daily',
      store: 'memory',
      clock,
      budget: { usd: (CALL_NANOS * 8) / 1e9, per: 'day' },
      alerts: { thresholds: [0.5], webhook: `${base}/json` },
    });
    const client = fence.guard(openAIClient(mock));
    clock.set(dayStart + 6 * hour);
    for (let call = 0; call < 4; call += 1) await client.chat.completions.create(CALL);
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5_000 });
    const text = (received[0]?.body as { text: string } | undefined)?.text ?? '';
    // Independent arithmetic: 4 calls in 6 hours, carried to 24 hours, is 16 calls; the 8-call budget runs
    // out 4 more calls (6 hours) later, at 12:00.
    const projected = `$${((16 * CALL_NANOS) / 1e9).toFixed(2)}`;
    expect(text).toContain(`projected ${projected} at window end`);
    expect(text).toContain(`runs out ${new Date(dayStart + 12 * hour).toISOString()}`);
    await fence.close();
  });

  it('a nested scope is named by its path; a tiny budget keeps its digits; Slack control characters are escaped', async () => {
    received.length = 0;
    mock.setScenario({ inputTokens: 10, outputTokens: 100 });
    const fence = new TokenFence({ label: 'acme <prod> & co', store: 'memory' });
    const child = new TokenFence({
      parent: fence,
      label: 'reviewer',
      budget: 0.002,
      alerts: { thresholds: [0.5], webhook: { url: `${base}/slack/x`, format: 'slack' } },
    });
    await child.guard(openAIClient(mock)).chat.completions.create({ ...CALL, max_tokens: 100 });
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5_000 });
    const [delivery] = received;
    expect(delivery?.problems).toEqual([]);
    const text = (delivery as { body: { text: string } }).body.text;
    // 10 × $2.50/1M + 100 × $10/1M = $0.001025 of $0.002: 51.25 % (shown to one decimal).
    expect(text).toBe(
      'TokenFence: acme &lt;prod&gt; &amp; co/reviewer reached 50.0% of its budget: spent $0.001025, budget $0.002, share 51.2%.',
    );
  });

  it('the forecast field: when a projection is given, every format quotes it', () => {
    const event = {
      type: 'budget-alert',
      timestamp: Date.UTC(2026, 11, 8, 10),
      label: 'tenant=acme',
      path: ['app', 'tenant=acme'],
      tag: { key: 'tenant', value: 'acme' },
      threshold: 0.8,
      usageRatio: 0.82,
      spentUsd: 41,
      budgetUsd: 50,
      windowStart: Date.UTC(2026, 11, 1),
    } as unknown as BudgetAlertEvent;
    const forecast = { projectedUsd: 160, exhaustsAt: new Date(Date.UTC(2026, 11, 10, 6)) };
    const slack = webhookPayload('slack', event, forecast) as { text: string };
    expect(slackShape(slack)).toEqual([]);
    expect(slack.text).toBe(
      'TokenFence: tag tenant=acme reached 80.0% of its budget: spent $41.00, budget $50.00 this window, share 82.0%, ' +
        'projected $160.00 at window end, runs out 2026-12-10T06:00:00.000Z.',
    );
    const teams = webhookPayload('teams', event, forecast);
    expect(teamsShape(teams)).toEqual([]);
    expect(teamsText(teams)).toContain('Projected $160.00 at window end');
    expect(webhookPayload('json', event, forecast)).toMatchObject({ text: slack.text, event: { spentUsd: 41 } });
  });

  it('refuses a webhook format it does not know, a bad URL, and unknown fields, naming the option', () => {
    expect(
      () =>
        new TokenFence({ alerts: { thresholds: [0.5], webhook: { url: `${base}/x`, format: 'discord' as never } } }),
    ).toThrow(/alerts\.webhook\.format/);
    expect(() => new TokenFence({ alerts: { thresholds: [0.5], webhook: ['https://ok.example', 'ftp://x'] } })).toThrow(
      /alerts\.webhook\[1\]\.url/,
    );
    expect(
      () =>
        new TokenFence({
          alerts: { thresholds: [0.5], webhook: { url: 'https://ok.example', channel: '#x' } as never },
        }),
    ).toThrow(/alerts\.webhook\.channel/);
  });
});
