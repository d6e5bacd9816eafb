import type { EndpointAdapter, ProviderAdapter } from '../provider-adapter.js';
import { createOpenAIChatEndpoint } from './openai-chat-endpoint.js';
import { createOpenAICompletionsEndpoint } from './openai-completions-endpoint.js';
import { createOpenAIEmbeddingsEndpoint } from './openai-embeddings-endpoint.js';
import { createOpenAIImagesEndpoint } from './openai-images-endpoint.js';
import { createOpenAIResponsesEndpoint } from './openai-responses-endpoint.js';

const chat = createOpenAIChatEndpoint(false);
const chatStream = createOpenAIChatEndpoint(true);
const responses = createOpenAIResponsesEndpoint(false);
const responsesStream = createOpenAIResponsesEndpoint(true);
const embeddings = createOpenAIEmbeddingsEndpoint();
const completions = createOpenAICompletionsEndpoint();
const images = createOpenAIImagesEndpoint();

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
    ['completions.create', completions],
    ['images.generate', images],
    ['images.edit', images],
  ]),
  // Matched by suffix in this order: `/chat/completions` must come before the legacy `/completions`.
  wirePaths: new Map<string, EndpointAdapter>([
    ['/chat/completions', chat],
    ['/responses', responses],
    ['/embeddings', embeddings],
    ['/completions', completions],
    ['/images/generations', images],
  ]),
  // Work these start is billed later, outside any one call's reservation.
  unbudgeted: new Map([
    ['batches.create', 'a Batch API job (its requests are billed when the batch runs, at batch rates)'],
    ['fineTuning.jobs.create', 'a fine-tuning job (billed per training token as it runs)'],
    ['fineTuning.jobs.resume', 'a paused fine-tuning job (billed per training token as it runs)'],
    ['evals.runs.create', 'an eval run (its model calls are billed as it runs)'],
    ['containers.create', 'a code-interpreter container (billed per session while it lives)'],
    ['realtime.clientSecrets.create', 'a Realtime session key (the session is billed over its WebSocket)'],
    ['videos.create', 'a video generation job (billed per second of video when it completes)'],
    ['videos.edit', 'a video edit job (billed per second of video when it completes)'],
    ['videos.extend', 'a video extension job (billed per second of video when it completes)'],
    ['videos.remix', 'a video remix job (billed per second of video when it completes)'],
  ]),
};
