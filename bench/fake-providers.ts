/**
 * In-process stand-ins for the OpenAI and Anthropic HTTP APIs, passed to the SDKs as their `fetch`.
 * They answer from memory so the benchmark times the SDK and the guard, not sockets. Bodies are
 * serialised once up front; only the `Response` (and its stream) is new per call, because a body can
 * be read only once and the guard rebuilds responses around what it read.
 */
import { REPLY_TEXT, splitText } from './texts.js';

export type FakeFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Usage every fake response reports: o200k counts of the bench conversation (with framing) and of the reply. */
export const FAKE_USAGE = { promptTokens: 821, completionTokens: 236 } as const;

/** Content deltas per OpenAI stream; with the role and finish chunks the caller sees 20 chunks. */
export const STREAM_CONTENT_CHUNKS = 18;
export const STREAM_CHUNKS_SEEN = STREAM_CONTENT_CHUNKS + 2;

const CREATED = 1_760_000_000;
const OPENAI_MODEL = 'gpt-4o-2024-08-06';
const ANTHROPIC_MODEL = 'claude-haiku-4-5-20251001';

const JSON_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  'x-request-id': 'req_bench0000000000000000',
};
const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'x-request-id': 'req_bench0000000000000000',
};

const openAIUsage = {
  prompt_tokens: FAKE_USAGE.promptTokens,
  completion_tokens: FAKE_USAGE.completionTokens,
  total_tokens: FAKE_USAGE.promptTokens + FAKE_USAGE.completionTokens,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

const CHAT_COMPLETION_JSON = JSON.stringify({
  id: 'chatcmpl-bench0000000000000000000000',
  object: 'chat.completion',
  created: CREATED,
  model: OPENAI_MODEL,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: REPLY_TEXT, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: openAIUsage,
  service_tier: 'default',
  system_fingerprint: 'fp_bench00000',
});

/**
 * A chat.completion.chunk stream as OpenAI sends it: with `include_usage`, every chunk carries
 * `"usage": null` and a last chunk with empty `choices` carries the usage.
 */
function chatCompletionEvents(includeUsage: boolean, contentChunks = STREAM_CONTENT_CHUNKS): Uint8Array[] {
  const encoder = new TextEncoder();
  const chunk = (choices: object[], usage?: object | null) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench0000000000000000000000',
      object: 'chat.completion.chunk',
      created: CREATED,
      model: OPENAI_MODEL,
      service_tier: 'default',
      system_fingerprint: 'fp_bench00000',
      choices,
      ...(includeUsage && { usage: usage ?? null }),
      obfuscation: 'aB3x',
    })}\n\n`;
  const choice = (delta: object, finishReason: string | null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finishReason,
  });
  const events = [
    chunk([choice({ role: 'assistant', content: '', refusal: null }, null)]),
    ...splitText(REPLY_TEXT.repeat(contentChunks / STREAM_CONTENT_CHUNKS), contentChunks).map((text) =>
      chunk([choice({ content: text }, null)]),
    ),
    chunk([choice({}, 'stop')]),
  ];
  if (includeUsage) events.push(chunk([], openAIUsage));
  events.push('data: [DONE]\n\n');
  return events.map((event) => encoder.encode(event));
}

const CHAT_EVENTS = chatCompletionEvents(false);
const CHAT_EVENTS_WITH_USAGE = chatCompletionEvents(true);
/** A long answer (4× the content deltas): the difference to the short one is the guard's cost per chunk. */
export const LONG_STREAM_CONTENT_CHUNKS = STREAM_CONTENT_CHUNKS * 4;
const LONG_CHAT_EVENTS = chatCompletionEvents(false, LONG_STREAM_CONTENT_CHUNKS);
const LONG_CHAT_EVENTS_WITH_USAGE = chatCompletionEvents(true, LONG_STREAM_CONTENT_CHUNKS);

const ANTHROPIC_MESSAGE_JSON = JSON.stringify({
  id: 'msg_bench000000000000000000',
  type: 'message',
  role: 'assistant',
  model: ANTHROPIC_MODEL,
  content: [{ type: 'text', text: REPLY_TEXT }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: FAKE_USAGE.promptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: FAKE_USAGE.completionTokens,
    service_tier: 'standard',
  },
});

/** `max_tokens` of the long-answer scenario, which the fake answers with the long stream. */
export const LONG_STREAM_MAX_TOKENS = 4_000;

/** A Messages stream as Anthropic sends it: message_start (input usage), content deltas, message_delta (output usage). */
function anthropicEvents(): Uint8Array[] {
  const encoder = new TextEncoder();
  const event = (name: string, data: object) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  const events = [
    event('message_start', {
      message: {
        id: 'msg_bench000000000000000000',
        type: 'message',
        role: 'assistant',
        model: ANTHROPIC_MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: FAKE_USAGE.promptTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...splitText(REPLY_TEXT, STREAM_CONTENT_CHUNKS).map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: FAKE_USAGE.completionTokens },
    }),
    event('message_stop', {}),
  ];
  return events.map((text) => encoder.encode(text));
}

const ANTHROPIC_EVENTS = anthropicEvents();

/**
 * One SSE event per read, as a real stream arrives: tokens are generated tens of milliseconds apart,
 * so each event comes in its own network packet and the guard's per-chunk work runs once per event.
 */
function eventStream(events: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const event = events[next];
      next += 1;
      if (event) controller.enqueue(event);
      else controller.close();
    },
  });
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

function notFound(url: string): Response {
  return new Response(JSON.stringify({ error: { message: `bench: no route for ${url}` } }), {
    status: 404,
    headers: JSON_HEADERS,
  });
}

/** Counts what the fake saw, so the benchmark can check the guard really asked for stream usage. */
export interface FakeProvider {
  fetch: FakeFetch;
  readonly requests: number;
  readonly usageChunkRequests: number;
}

export function createFakeOpenAI(): FakeProvider {
  let requests = 0;
  let usageChunkRequests = 0;
  // The SDK sends JSON.stringify output (no whitespace), so substring tests are exact and cost less
  // than parsing: the fake's own work is in both sides of the ratio and should stay small.
  const fetch: FakeFetch = async (input, init) => {
    requests += 1;
    const url = urlOf(input);
    if (!url.endsWith('/chat/completions')) return notFound(url);
    const body = typeof init?.body === 'string' ? init.body : '';
    if (!body.includes('"stream":true')) return new Response(CHAT_COMPLETION_JSON, { headers: JSON_HEADERS });
    const includeUsage = body.includes('"include_usage":true');
    if (includeUsage) usageChunkRequests += 1;
    // The long-answer scenario asks for more output: the marker picks its stream without parsing.
    const long = body.includes(`"max_tokens":${LONG_STREAM_MAX_TOKENS}`);
    const events = long
      ? includeUsage
        ? LONG_CHAT_EVENTS_WITH_USAGE
        : LONG_CHAT_EVENTS
      : includeUsage
        ? CHAT_EVENTS_WITH_USAGE
        : CHAT_EVENTS;
    return new Response(eventStream(events), { headers: SSE_HEADERS });
  };
  return {
    fetch,
    get requests() {
      return requests;
    },
    get usageChunkRequests() {
      return usageChunkRequests;
    },
  };
}

export function createFakeAnthropic(): FakeProvider {
  let requests = 0;
  const fetch: FakeFetch = async (input, init) => {
    requests += 1;
    const url = urlOf(input);
    if (!url.endsWith('/v1/messages')) return notFound(url);
    const body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes('"stream":true')) return new Response(eventStream(ANTHROPIC_EVENTS), { headers: SSE_HEADERS });
    return new Response(ANTHROPIC_MESSAGE_JSON, { headers: JSON_HEADERS });
  };
  return {
    fetch,
    get requests() {
      return requests;
    },
    usageChunkRequests: 0,
  };
}
