import type { TokenFenceEvent } from '../events/events.js';
import type { WebhookOptions } from '../types.js';
import type { AlertForecast } from './alert-message.js';
import { webhookPayload } from './webhook-payload.js';

const RETRY_DELAYS_MS = [250, 1_000, 4_000];
const TIMEOUT_MS = 5_000;

/** Only the origin: webhook URLs often carry their secret in the path or query (Slack, Discord). */
function redacted(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * POSTs an event in the webhook's format (`json` unless it says `slack` or `teams`), retrying failed deliveries a few times with backoff. Fire and forget: it
 * never blocks or fails the call that raised the event; a delivery that gives up becomes a process
 * warning (TOKENFENCE_W004) naming only the URL's origin.
 */
export function postWebhook(
  webhook: WebhookOptions,
  event: TokenFenceEvent,
  fetch: typeof globalThis.fetch = globalThis.fetch,
  forecast: AlertForecast | null = null,
): Promise<boolean> {
  const body = JSON.stringify(webhookPayload(webhook.format ?? 'json', event, forecast));
  const attempt = async (index: number): Promise<boolean> => {
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...webhook.headers },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) return true;
      if (response.status < 500 && response.status !== 429) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (index >= RETRY_DELAYS_MS.length || (error as Error).message?.startsWith('HTTP 4')) {
        process.emitWarning(
          `TokenFence could not deliver a ${event.type} webhook to ${redacted(webhook.url)}: ${(error as Error).message}`,
          {
            code: 'TOKENFENCE_W004',
          },
        );
        return false;
      }
    }
    if (index >= RETRY_DELAYS_MS.length) return false;
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[index]).unref());
    return attempt(index + 1);
  };
  return attempt(0);
}
