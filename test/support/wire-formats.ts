import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { streamText, wrapLanguageModel } from 'ai';
import OpenAI from 'openai';
import type { TokenFence } from '../../src/index.js';
import type { TokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';

/** A fetch answering from memory, as the SDKs' `fetch` option takes it. */
export type MemoryFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** One SSE event of a rendered body; `data` is JSON-encoded unless it is already a string. */
export interface WireEvent {
  event?: string;
  data: unknown;
}

/** Usage as the wire spells it, before any damage: field name → value (nested objects allowed). */
export type WireUsage = Record<string, unknown>;

/** What a caller saw from one SDK call: how it ended and how many items (chunks, parts) it got. */
export interface CallView {
  error: { name: string; status: unknown; message: string } | null;
  items: string[];
}

/** Who sends the call: the raw SDK, or the same SDK guarded by `fence` (or wrapped in `middleware`). */
export type Sender = { fence: TokenFence } | { middleware: TokenfenceMiddleware } | null;

/**
 * One wire format: its usage fields, how a valid body with given usage looks, and how the real SDK
 * (raw or guarded) is called against a fetch. `required` are the counts without which usage is unknown
 * (the usage contract); `optional` are read when present.
 */
export interface WireFormat {
  name: string;
  stream: boolean;
  contentType: string;
  usage(): WireUsage;
  required: readonly string[];
  optional: readonly string[];
  /** The body's JSON object (JSON formats) or events (stream formats); `undefined` usage leaves it out. */
  render(usage: WireUsage | undefined): unknown | WireEvent[];
  /** Builds the client once (raw, or guarded by the sender) and returns one call through it. */
  connect(fetch: MemoryFetch, sender: Sender): () => Promise<CallView>;
  /** Bodies to run when not the suite's default (a format far slower per call than the others). */
  bodies?: number;
}

const KEY = 'sk-fuzz';
const messages = [{ role: 'user' as const, content: 'Say hello.' }];

function errorView(error: unknown): CallView['error'] {
  const value = error as { constructor?: { name?: string }; status?: unknown; message?: unknown } | null;
  return {
    name: value?.constructor?.name ?? typeof error,
    status: value?.status,
    message: typeof value?.message === 'string' ? value.message : String(error),
  };
}

/** Runs a call, iterating what it returns when it is a stream, and records how it ended. */
async function view(run: () => Promise<unknown>): Promise<CallView> {
  const items: string[] = [];
  try {
    const result = await run();
    if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      for await (const item of result as AsyncIterable<unknown>) items.push(itemName(item));
    } else {
      items.push(typeof result === 'string' ? 'string' : itemName(result));
    }
    return { error: null, items };
  } catch (error) {
    return { error: errorView(error), items };
  }
}

function itemName(item: unknown): string {
  const value = item as { type?: unknown; object?: unknown } | null;
  if (value === null || value === undefined) return String(value);
  return typeof value.type === 'string' ? value.type : typeof value.object === 'string' ? value.object : typeof value;
}

function fenceOf(sender: Sender): TokenFence | undefined {
  return sender && 'fence' in sender ? sender.fence : undefined;
}

function openai(fetch: MemoryFetch, sender: Sender): OpenAI {
  const client = new OpenAI({ apiKey: KEY, baseURL: 'http://fuzz.invalid/v1', maxRetries: 0, fetch, logLevel: 'off' });
  return fenceOf(sender)?.guard(client) ?? client;
}

function anthropic(fetch: MemoryFetch, sender: Sender): Anthropic {
  const client = new Anthropic({ apiKey: KEY, baseURL: 'http://fuzz.invalid', maxRetries: 0, fetch, logLevel: 'off' });
  return fenceOf(sender)?.guard(client) ?? client;
}

function gemini(fetch: MemoryFetch, sender: Sender): GoogleGenAI {
  const client = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: 'http://fuzz.invalid', fetch } });
  return fenceOf(sender)?.guard(client) ?? client;
}

const chatUsage = (): WireUsage => ({
  prompt_tokens: 120,
  completion_tokens: 40,
  total_tokens: 160,
  prompt_tokens_details: { cached_tokens: 20 },
  completion_tokens_details: { reasoning_tokens: 10 },
});
const chatFields = {
  required: ['prompt_tokens', 'completion_tokens'],
  optional: ['prompt_tokens_details.cached_tokens', 'completion_tokens_details.reasoning_tokens'],
};

function chatEvents(usage: WireUsage | undefined): WireEvent[] {
  const chunk = (choices: unknown[], extra: object = {}) => ({
    id: 'chatcmpl-fuzz',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o',
    choices,
    ...extra,
  });
  return [
    { data: chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], { usage: null }) },
    { data: chunk([{ index: 0, delta: { content: 'Hello' }, finish_reason: null }], { usage: null }) },
    { data: chunk([{ index: 0, delta: {}, finish_reason: 'stop' }], { usage: null }) },
    ...(usage === undefined ? [] : [{ data: chunk([], { usage }) }]),
    { data: '[DONE]' },
  ];
}

const responsesUsage = (): WireUsage => ({
  input_tokens: 120,
  input_tokens_details: { cached_tokens: 20 },
  output_tokens: 40,
  output_tokens_details: { reasoning_tokens: 10 },
  total_tokens: 160,
});
const responsesFields = {
  required: ['input_tokens', 'output_tokens'],
  optional: ['input_tokens_details.cached_tokens', 'output_tokens_details.reasoning_tokens'],
};

function responseObject(status: string, usage: WireUsage | undefined | null) {
  return {
    id: 'resp_fuzz',
    object: 'response',
    created_at: 1,
    status,
    error: null,
    incomplete_details: null,
    model: 'gpt-4o',
    output:
      status === 'completed'
        ? [
            {
              type: 'message',
              id: 'msg_fuzz',
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text: 'Hello', annotations: [] }],
            },
          ]
        : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    ...(usage !== undefined && { usage }),
  };
}

const anthropicUsage = (): WireUsage => ({
  input_tokens: 120,
  output_tokens: 40,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 20,
});
const anthropicFields = {
  required: ['input_tokens', 'output_tokens'],
  optional: ['cache_read_input_tokens', 'cache_creation_input_tokens'],
};

function anthropicMessage(content: unknown[], stopReason: string | null, usage: WireUsage | undefined) {
  return {
    id: 'msg_fuzz',
    type: 'message',
    role: 'assistant',
    model: 'claude-haiku-4-5',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    ...(usage !== undefined && { usage }),
  };
}

const geminiUsage = (): WireUsage => ({
  promptTokenCount: 120,
  candidatesTokenCount: 30,
  thoughtsTokenCount: 10,
  totalTokenCount: 160,
});
const geminiFields = { required: ['promptTokenCount'], optional: ['candidatesTokenCount', 'thoughtsTokenCount'] };

function geminiChunk(text: string, finished: boolean, usage: WireUsage | undefined) {
  return {
    candidates: [
      { content: { parts: [{ text }], role: 'model' }, ...(finished && { finishReason: 'STOP' }), index: 0 },
    ],
    ...(usage !== undefined && { usageMetadata: usage }),
    modelVersion: 'gemini-2.5-flash',
    responseId: 'fuzz',
  };
}

export const WIRE_FORMATS: readonly WireFormat[] = [
  {
    name: 'openai chat JSON',
    stream: false,
    contentType: 'application/json',
    usage: chatUsage,
    ...chatFields,
    render: (usage) => ({
      id: 'chatcmpl-fuzz',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      ...(usage !== undefined && { usage }),
    }),
    connect: (fetch, sender) => {
      const client = openai(fetch, sender);
      return () => view(() => client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 100 }));
    },
  },
  {
    name: 'openai chat SSE',
    stream: true,
    contentType: 'text/event-stream',
    usage: chatUsage,
    ...chatFields,
    render: chatEvents,
    connect: (fetch, sender) => {
      const client = openai(fetch, sender);
      return () =>
        view(() =>
          client.chat.completions.create({
            model: 'gpt-4o',
            messages,
            max_tokens: 100,
            stream: true,
            // Asked by the caller, so the guard strips nothing and both sides see the same chunks.
            stream_options: { include_usage: true },
          }),
        );
    },
  },
  {
    name: 'openai responses JSON',
    stream: false,
    contentType: 'application/json',
    usage: responsesUsage,
    ...responsesFields,
    render: (usage) => responseObject('completed', usage),
    connect: (fetch, sender) => {
      const client = openai(fetch, sender);
      return () =>
        view(() => client.responses.create({ model: 'gpt-4o', input: 'Say hello.', max_output_tokens: 100 }));
    },
  },
  {
    name: 'openai responses SSE',
    stream: true,
    contentType: 'text/event-stream',
    usage: responsesUsage,
    ...responsesFields,
    render: (usage) => {
      const event = (type: string, sequence: number, body: object): WireEvent => ({
        event: type,
        data: { type, sequence_number: sequence, ...body },
      });
      return [
        event('response.created', 0, { response: responseObject('in_progress', null) }),
        event('response.output_text.delta', 1, { item_id: 'msg_fuzz', output_index: 0, content_index: 0, delta: 'Hi' }),
        event('response.completed', 2, { response: responseObject('completed', usage) }),
      ];
    },
    connect: (fetch, sender) => {
      const client = openai(fetch, sender);
      return () =>
        view(() =>
          client.responses.create({ model: 'gpt-4o', input: 'Say hello.', max_output_tokens: 100, stream: true }),
        );
    },
  },
  {
    name: 'anthropic messages JSON',
    stream: false,
    contentType: 'application/json',
    usage: anthropicUsage,
    ...anthropicFields,
    render: (usage) => anthropicMessage([{ type: 'text', text: 'Hello' }], 'end_turn', usage),
    connect: (fetch, sender) => {
      const client = anthropic(fetch, sender);
      return () => view(() => client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages }));
    },
  },
  {
    name: 'anthropic messages SSE',
    stream: true,
    contentType: 'text/event-stream',
    usage: anthropicUsage,
    ...anthropicFields,
    render: (usage) => {
      const event = (type: string, body: object): WireEvent => ({ event: type, data: { type, ...body } });
      // Input counts arrive in message_start, the output count in message_delta (the Messages wire format).
      const { output_tokens, ...input } = usage ?? {};
      const start = usage === undefined ? undefined : { ...input, output_tokens: 1 };
      const delta = usage === undefined || !('output_tokens' in usage) ? {} : { usage: { output_tokens } };
      return [
        event('message_start', { message: anthropicMessage([], null, start) }),
        event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
        event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello' } }),
        event('content_block_stop', { index: 0 }),
        event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, ...delta }),
        event('message_stop', {}),
      ];
    },
    connect: (fetch, sender) => {
      const client = anthropic(fetch, sender);
      return () =>
        view(() => client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages, stream: true }));
    },
  },
  {
    name: 'gemini generateContent JSON',
    stream: false,
    contentType: 'application/json',
    usage: geminiUsage,
    ...geminiFields,
    render: (usage) => geminiChunk('Hello', true, usage),
    connect: (fetch, sender) => {
      const client = gemini(fetch, sender);
      return () =>
        view(() =>
          client.models.generateContent({
            model: 'gemini-2.5-flash',
            contents: 'Say hello.',
            config: { maxOutputTokens: 100 },
          }),
        );
    },
  },
  {
    name: 'gemini generateContent stream',
    stream: true,
    contentType: 'text/event-stream',
    usage: geminiUsage,
    ...geminiFields,
    render: (usage) => [
      // Early chunks carry a running total; the last one holds the final counts.
      {
        data: geminiChunk(
          'Hel',
          false,
          usage === undefined ? undefined : { promptTokenCount: 120, totalTokenCount: 121 },
        ),
      },
      { data: geminiChunk('lo', true, usage) },
    ],
    connect: (fetch, sender) => {
      const client = gemini(fetch, sender);
      return () =>
        view(() =>
          client.models.generateContentStream({
            model: 'gemini-2.5-flash',
            contents: 'Say hello.',
            config: { maxOutputTokens: 100 },
          }),
        );
    },
  },
  {
    // The middleware's seam: the wrapped model's doStream, the provider's real SSE parser, 1,000 bodies.
    name: 'ai sdk doStream (wrapLanguageModel, openai-compatible)',
    stream: true,
    contentType: 'text/event-stream',
    usage: chatUsage,
    ...chatFields,
    render: chatEvents,
    connect: (fetch, sender) => {
      const model = aiSdkModel(fetch, sender);
      return async () => {
        const items: string[] = [];
        try {
          const { stream } = await model.doStream({ prompt: aiSdkPrompt, maxOutputTokens: 100 });
          const reader = stream.getReader();
          for (let next = await reader.read(); !next.done; next = await reader.read()) items.push(partName(next.value));
          return { error: null, items };
        } catch (error) {
          return { error: errorView(error), items };
        }
      };
    },
  },
  {
    // The whole AI SDK path; streamText costs ~10x a raw SDK call, so fewer bodies keep the suite fast.
    name: 'ai sdk streamText (openai-compatible)',
    stream: true,
    contentType: 'text/event-stream',
    usage: chatUsage,
    ...chatFields,
    render: chatEvents,
    bodies: 100,
    connect: (fetch, sender) => {
      const model = aiSdkModel(fetch, sender);
      return async () => {
        const items: string[] = [];
        try {
          const result = streamText({
            model,
            prompt: 'Say hello.',
            maxRetries: 0,
            maxOutputTokens: 100,
            onError: () => {},
          });
          for await (const part of result.fullStream) items.push(partName(part));
          return { error: null, items };
        } catch (error) {
          return { error: errorView(error), items };
        }
      };
    },
  },
];

const aiSdkPrompt = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Say hello.' }] }];

function aiSdkModel(fetch: MemoryFetch, sender: Sender) {
  const base = createOpenAICompatible({
    name: 'openai',
    baseURL: 'http://fuzz.invalid/v1',
    apiKey: KEY,
    fetch,
    includeUsage: true,
  })('gpt-4o');
  return sender && 'middleware' in sender ? wrapLanguageModel({ model: base, middleware: sender.middleware }) : base;
}

function partName(part: { type: string; error?: unknown }): string {
  return part.type === 'error' ? `error:${errorView(part.error)?.name}` : part.type;
}
