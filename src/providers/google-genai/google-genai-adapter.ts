import type {
  EndpointAdapter,
  MethodEndpointAdapter,
  MethodProviderAdapter,
  ResourceLink,
} from '../provider-adapter.js';
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
  ]),
  links: new Map<string, ResourceLink>([['chats.create', { property: 'modelsModule', resource: 'models' }]]),
  // Gemini puts the model in the URL path, which suffix matching cannot read.
  wirePaths: new Map<string, EndpointAdapter>(),
};
