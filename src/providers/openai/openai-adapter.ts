import type { EndpointAdapter, ProviderAdapter } from '../provider-adapter.js';
import { createOpenAIChatEndpoint } from './openai-chat-endpoint.js';
import { createOpenAIEmbeddingsEndpoint } from './openai-embeddings-endpoint.js';
import { createOpenAIResponsesEndpoint } from './openai-responses-endpoint.js';

const chat = createOpenAIChatEndpoint(false);
const chatStream = createOpenAIChatEndpoint(true);
const responses = createOpenAIResponsesEndpoint(false);
const responsesStream = createOpenAIResponsesEndpoint(true);
const embeddings = createOpenAIEmbeddingsEndpoint();

/** The `openai` package (tested with 6.x): every method that sends a priced request. */
export const openAIAdapter: ProviderAdapter = {
  provider: 'openai',
  matches(client) {
    const candidate = client as { chat?: { completions?: { create?: unknown } }; embeddings?: unknown };
    return typeof candidate.chat?.completions?.create === 'function' && typeof candidate.embeddings === 'object';
  },
  endpoints: new Map<string, EndpointAdapter>([
    ['chat.completions.create', chat],
    ['chat.completions.parse', chat],
    ['chat.completions.stream', chatStream],
    ['beta.chat.completions.parse', chat],
    ['beta.chat.completions.stream', chatStream],
    ['responses.create', responses],
    ['responses.parse', responses],
    ['responses.stream', responsesStream],
    ['embeddings.create', embeddings],
  ]),
  wirePaths: new Map<string, EndpointAdapter>([
    ['/chat/completions', chat],
    ['/responses', responses],
    ['/embeddings', embeddings],
  ]),
};
