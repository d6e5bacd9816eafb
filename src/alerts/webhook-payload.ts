import type { TokenFenceEvent } from '../events/events.js';
import { type AlertForecast, alertMessage } from './alert-message.js';

/** The body a webhook receives: TokenFence's own JSON, a Slack incoming-webhook message, or a Teams card. */
export type WebhookFormat = 'json' | 'slack' | 'teams';

export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['json', 'slack', 'teams'];

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks): header 150, section text 3000. */
const SLACK_HEADER_MAX = 150;
const SLACK_TEXT_MAX = 3_000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats these three as control characters; labels may contain them. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The JSON body for `format`. `json` keeps TokenFence's `{ source, event }` (plus the same `text` the chat
 * formats show). `slack`: an incoming-webhook message, `text` (notifications, fallback) plus Block Kit
 * blocks (header, section with fields, context). `teams`: the message envelope with one Adaptive Card
 * (version 1.4), the only format Teams Workflows webhooks accept (Microsoft 365 connectors and their
 * MessageCard are being retired).
 */
export function webhookPayload(format: WebhookFormat, event: TokenFenceEvent, forecast: AlertForecast | null): object {
  const message = alertMessage(event, forecast);
  if (format === 'json') return { source: 'tokenfence', text: message.text, event };
  if (format === 'slack') {
    const blocks: object[] = [
      { type: 'header', text: { type: 'plain_text', text: clip(message.title, SLACK_HEADER_MAX), emoji: false } },
    ];
    if (message.facts.length > 0) {
      blocks.push({
        type: 'section',
        // At most 10 fields of 2000 characters each: a handful of short figures.
        fields: message.facts.slice(0, 10).map((fact) => ({
          type: 'mrkdwn',
          text: `*${slackEscape(fact.name)}*\n${slackEscape(fact.value)}`,
        })),
      });
    }
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: clip(slackEscape(`${event.type} · ${new Date(event.timestamp).toISOString()}`), SLACK_TEXT_MAX),
        },
      ],
    });
    return { text: clip(slackEscape(message.text), SLACK_TEXT_MAX), blocks };
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: message.title, weight: 'Bolder', size: 'Medium', wrap: true },
            ...(message.facts.length === 0
              ? []
              : [{ type: 'FactSet', facts: message.facts.map((fact) => ({ title: fact.name, value: fact.value })) }]),
          ],
        },
      },
    ],
  };
}
