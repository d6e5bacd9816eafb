import type { EndpointAdapter, ProviderAdapter } from '../provider-adapter.js';
import { createAnthropicMessagesEndpoint } from './anthropic-messages-endpoint.js';

const messages = createAnthropicMessagesEndpoint(false);
const messagesStream = createAnthropicMessagesEndpoint(true);

const BATCH = 'Message Batches job (billed per request when the batch runs)';

/** The `@anthropic-ai/sdk` package (tested with 1.x). */
export const anthropicAdapter: ProviderAdapter = {
  provider: 'anthropic',
  matches(client) {
    const candidate = client as { messages?: { create?: unknown; stream?: unknown }; chat?: unknown };
    return typeof candidate.messages?.create === 'function' && typeof candidate.messages.stream === 'function';
  },
  endpoints: new Map<string, EndpointAdapter>([
    ['messages.create', messages],
    ['messages.stream', messagesStream],
    ['beta.messages.create', messages],
    ['beta.messages.stream', messagesStream],
  ]),
  wirePaths: new Map<string, EndpointAdapter>([['/v1/messages', messages]]),
  // A batch is billed when it runs, hours later, for requests the guard never sees answered.
  unbudgeted: new Map([
    ['messages.batches.create', BATCH],
    ['beta.messages.batches.create', BATCH],
  ]),
};
