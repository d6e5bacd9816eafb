import type {
  EndpointAdapter,
  MethodEndpointAdapter,
  MethodProviderAdapter,
  ResourceLink,
  UnbudgetedMethods,
} from '../provider-adapter.js';
import { createGeminiEmbedContentEndpoint } from './gemini-embed-content-endpoint.js';
import { createGeminiGenerateContentEndpoint } from './gemini-generate-content-endpoint.js';

/**
 * The `@google/genai` package (tested with 2.x). It has no `withOptions()` to clone a client with
 * another fetch, so its priced methods are guarded where they are called. A chat session sends through
 * the `models` module it was made with, so sessions from `chats.create()` are pointed at the guarded one.
 */
export const googleGenAIAdapter: MethodProviderAdapter = {
  provider: 'google',
  seam: 'method',
  matches(client) {
    const candidate = client as {
      models?: { generateContent?: unknown; generateContentStream?: unknown };
      chats?: { create?: unknown };
    };
    return (
      typeof candidate.models?.generateContent === 'function' &&
      typeof candidate.models.generateContentStream === 'function' &&
      typeof candidate.chats?.create === 'function'
    );
  },
  endpoints: new Map<string, MethodEndpointAdapter>([
    ['models.generateContent', createGeminiGenerateContentEndpoint(false)],
    ['models.generateContentStream', createGeminiGenerateContentEndpoint(true)],
    ['models.embedContent', createGeminiEmbedContentEndpoint()],
  ]),
  links: new Map<string, ResourceLink>([['chats.create', { property: 'modelsModule', resource: 'models' }]]),
  // Gemini puts the model in the URL path, which suffix matching cannot read.
  wirePaths: new Map<string, EndpointAdapter>(),
  // A batch job bills each of its requests later, at half the rate, with no per-call usage to settle on.
  unbudgeted: new Map([
    ['batches.create', 'a Gemini batch job (generateContent requests billed when the job runs)'],
    ['batches.createEmbeddings', 'a Gemini embeddings batch job (billed when the job runs)'],
  ]) satisfies UnbudgetedMethods,
};
