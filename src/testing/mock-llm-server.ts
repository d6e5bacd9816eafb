import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Knobs for how the mock provider answers. Every field is optional. */
export interface MockScenario {
  /** Uncached prompt tokens to report. @default ⌈prompt characters / 4⌉ + 3 per message */
  inputTokens?: number;
  /** Prompt tokens read from cache (OpenAI: inside `prompt_tokens`; Anthropic: `cache_read_input_tokens`). */
  cachedTokens?: number;
  /** Anthropic 5-minute cache writes. */
  cacheWrite5mTokens?: number;
  /** Anthropic 1-hour cache writes. */
  cacheWrite1hTokens?: number;
  /** Output tokens (never more than the request's cap). @default 16 */
  outputTokens?: number;
  /** Reasoning tokens, inside the output count (OpenAI; Gemini reports them as `thoughtsTokenCount`). */
  reasoningTokens?: number;
  /** Text of the answer. @default 'lorem ipsum …' */
  text?: string;
  /** Milliseconds before the response headers. */
  delayMs?: number;
  /** Milliseconds between stream chunks. */
  chunkDelayMs?: number;
  /** Content chunks of a stream. @default 4 */
  chunks?: number;
  /** Answer with this HTTP error status… */
  failStatus?: number;
  /** …for the first N attempts only (then succeed). @default every attempt */
  failTimes?: number;
  /** Close the connection after this many stream chunks (no final usage). */
  cutAfterChunks?: number;
  /** Leave usage out of the response (JSON and streams). */
  omitUsage?: boolean;
  /** Anthropic streams: send `event: error` after this many chunks instead of finishing. */
  inBandErrorAfterChunks?: number;
  /**
   * Extra fields of the usage object, merged over the mock's (Anthropic `server_tool_use`, `service_tier`,
   * `speed`, `inference_geo`; Gemini `promptTokensDetails`, `serviceTier`; OpenAI `prompt_tokens_details`; or a
   * malformed count), in JSON and in streams. A Gemini stream carries them on its last chunk only (earlier chunks
   * keep the plain running totals); an Anthropic stream on `message_start` with the `server_tool_use` counts still
   * at 0, and every field but the labels on the final cumulative `message_delta`.
   */
  usageFields?: Record<string, unknown>;
  /** Extra top-level fields of the response object (OpenAI `service_tier`), in JSON and in streams. */
  responseFields?: Record<string, unknown>;
  /** Gemini: extra fields of the first candidate (`groundingMetadata`), in JSON and on one stream chunk. */
  candidateFields?: Record<string, unknown>;
  /** Gemini streams: the content chunk (0-based) that carries `candidateFields`. @default the last */
  candidateChunk?: number;
  /** OpenAI Responses: output items before the message (`web_search_call`, …), streamed as output_item events. */
  outputItems?: Record<string, unknown>[];
  /** Answer a JSON (non-stream) request with this body verbatim, on any known route (e.g. a documented example). */
  body?: unknown;
  /** Answer a streaming request with this SSE text verbatim (`event:` / `data:` lines), on any known route. */
  sse?: string;
  /** Anthropic: content blocks sent before the text (server tool calls and their results). */
  anthropicContent?: Array<Record<string, unknown>>;
  /**
   * Answer the token-counting endpoints (Anthropic `/v1/messages/count_tokens`, OpenAI
   * `/v1/responses/input_tokens`, Gemini `…:countTokens`): with this count (@default ⌈prompt characters / 4⌉
   * + 3 per message), after a delay, with an HTTP error status, or with a verbatim body (garbage). Without
   * `count` they answer 404, as a service without them does, so a scenario gets counts only when it asks.
   */
  count?: { tokens?: number; delayMs?: number; failStatus?: number; body?: unknown };
}

/** One request the mock received; auth headers and API keys (header or `key` query parameter) are never recorded. */
export interface MockRequestRecord {
  path: string;
  /** The JSON body; for Gemini routes `model` is added, from the URL path (where Gemini sends it). */
  body: Record<string, unknown>;
  /** The SDK's retry counter header (0 for the first attempt). */
  retryCount: number;
  /** The request headers, names in lower case; credentials (`authorization`, `*-api-key`) read `[redacted]`. */
  headers: Record<string, string>;
  status: number;
  /** Usage the mock reported (billed), when it answered successfully. */
  billed:
    | {
        inputTokens: number;
        cachedTokens: number;
        cacheWrite5mTokens: number;
        cacheWrite1hTokens: number;
        outputTokens: number;
        reasoningTokens: number;
      }
    | undefined;
}

/** A response sent as is, whatever the request asked for (bad bodies, wrong content types). */
export interface MockRawResponse {
  /** @default 200 */
  status?: number;
  /** The `content-type` header; none when omitted. */
  contentType?: string;
  body: string | Uint8Array;
}

export interface MockProvider {
  /** Base URL: `${url}/v1` for `openai`; `url` for `@anthropic-ai/sdk` and `@google/genai` (`httpOptions.baseUrl`). */
  url: string;
  /** Every request received, in order, but those to the token-counting endpoints. */
  requests: MockRequestRecord[];
  /** Every request to a token-counting endpoint (free: never billed), in order. */
  countRequests: MockRequestRecord[];
  /** Replaces the scenario (a value, or a function of the request). */
  setScenario(scenario: MockScenario | ((request: MockRequestRecord) => MockScenario)): void;
  /** Answers every request to a known route with this response instead (undefined: back to the scenario). */
  setRawResponse(raw: MockRawResponse | undefined): void;
  /** Requests whose response has not finished yet. */
  readonly openRequests: number;
  close(): Promise<void>;
}

type Flavor =
  | 'chat'
  | 'completions'
  | 'images'
  | 'responses'
  | 'embeddings'
  | 'messages'
  | 'gemini'
  | 'gemini-embeddings';
const ROUTES: Record<string, Flavor> = {
  '/v1/chat/completions': 'chat',
  '/v1/completions': 'completions',
  '/v1/images/generations': 'images',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'messages',
};

/**
 * `POST /v1beta/models/{model}:generateContent`, `…:streamGenerateContent?alt=sse` and the embeddings
 * methods `…:batchEmbedContents` / `…:embedContent` (any API version).
 */
const GEMINI_ROUTE =
  /^\/v1[a-z0-9]*\/(?:models|tunedModels)\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents|embedContent)$/;
/** The free token-counting endpoints: Anthropic's, OpenAI Responses', Gemini's `…:countTokens`. */
const COUNT_ROUTE =
  /^(?:\/v1\/messages\/count_tokens|\/v1\/responses\/input_tokens|\/v1[a-z0-9]*\/models\/[^/:]+:countTokens)$/;

interface Route {
  flavor: Flavor;
  /** Gemini: the model from the path, and whether the method streams. */
  model?: string;
  stream?: boolean;
}

function routeOf(path: string): Route | undefined {
  const flavor = ROUTES[path];
  if (flavor) return { flavor };
  const gemini = GEMINI_ROUTE.exec(path);
  if (!gemini) return undefined;
  return {
    flavor: gemini[2]?.endsWith('mbedContents') || gemini[2] === 'embedContent' ? 'gemini-embeddings' : 'gemini',
    model: decodeURIComponent(gemini[1] ?? ''),
    stream: gemini[2] === 'streamGenerateContent',
  };
}

const CREDENTIAL_HEADER = /^(authorization|x-api-key|x-goog-api-key|api-key)$/;

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = CREDENTIAL_HEADER.test(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** The counting endpoints' answer: Gemini's `totalTokens`, OpenAI's and Anthropic's `input_tokens`. */
async function answerCount(
  response: ServerResponse,
  record: MockRequestRecord,
  path: string,
  scenario: MockScenario,
): Promise<void> {
  const count = scenario.count;
  if (count?.delayMs) await sleep(count.delayMs);
  if (response.destroyed) return;
  const gemini = path.endsWith(':countTokens');
  const flavor: Flavor = gemini ? 'gemini' : path.startsWith('/v1/messages') ? 'messages' : 'responses';
  const failStatus = count ? count.failStatus : 404;
  if (failStatus) {
    record.status = failStatus;
    response
      .writeHead(failStatus, { 'content-type': 'application/json' })
      .end(JSON.stringify(errorBody(flavor, failStatus)));
    return;
  }
  const counted = record.body.generateContentRequest ?? record.body;
  const tokens = count?.tokens ?? Math.ceil(defaultInputTokens(counted as Record<string, unknown>));
  const answer =
    count?.body !== undefined
      ? count.body
      : gemini
        ? { totalTokens: tokens }
        : flavor === 'responses'
          ? { object: 'response.input_tokens', input_tokens: tokens }
          : { input_tokens: tokens };
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function promptCharacters(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + promptCharacters(item), 0);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).reduce(
      (sum, [key, item]) => sum + (key === 'type' || key === 'role' ? 0 : promptCharacters(item)),
      0,
    );
  }
  return 0;
}

function defaultInputTokens(body: Record<string, unknown>): number {
  const turns = body.messages ?? body.contents;
  const messages = Array.isArray(turns) ? turns.length : 1;
  const prompt = body.messages ?? body.input ?? body.contents ?? body.prompt;
  return (
    Math.ceil(promptCharacters(prompt) / 4) + promptCharacters(body.system ?? body.systemInstruction) / 4 + 3 * messages
  );
}

function outputCap(body: Record<string, unknown>): number | undefined {
  const generation = body.generationConfig as { maxOutputTokens?: unknown } | undefined;
  const cap = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens ?? generation?.maxOutputTokens;
  return typeof cap === 'number' ? cap : undefined;
}

function splitText(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces.length > 0 ? pieces : [''];
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

interface Answer {
  flavor: Flavor;
  model: string;
  text: string;
  usage: NonNullable<MockRequestRecord['billed']>;
  scenario: MockScenario;
  includeUsage: boolean;
  /** Gemini `batchEmbedContents`: the request's `requests`, one vector each. */
  requests?: unknown;
}

function openAIUsage(answer: Answer, inputKeys: 'chat' | 'completions' | 'responses') {
  const { usage } = answer;
  const prompt = usage.inputTokens + usage.cachedTokens;
  if (inputKeys === 'completions') {
    return { prompt_tokens: prompt, completion_tokens: usage.outputTokens, total_tokens: prompt + usage.outputTokens };
  }
  if (inputKeys === 'chat') {
    return {
      prompt_tokens: prompt,
      completion_tokens: usage.outputTokens,
      total_tokens: prompt + usage.outputTokens,
      prompt_tokens_details: { cached_tokens: usage.cachedTokens, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, audio_tokens: 0 },
      ...answer.scenario.usageFields,
    };
  }
  return {
    input_tokens: prompt,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: prompt + usage.outputTokens,
    ...answer.scenario.usageFields,
  };
}

const ANTHROPIC_USAGE_LABELS = new Set(['service_tier', 'speed', 'inference_geo']);

/** The scenario's extra usage fields for one event: `message_start` has the server tool counts at 0. */
function anthropicUsageExtra(answer: Answer, event: 'json' | 'message_start' | 'message_delta') {
  const extra = answer.scenario.usageFields ?? {};
  if (event === 'json') return extra;
  if (event === 'message_delta') {
    return Object.fromEntries(Object.entries(extra).filter(([key]) => !ANTHROPIC_USAGE_LABELS.has(key)));
  }
  const tools = extra.server_tool_use;
  if (typeof tools !== 'object' || tools === null) return extra;
  return { ...extra, server_tool_use: Object.fromEntries(Object.keys(tools).map((key) => [key, 0])) };
}

function anthropicUsage(answer: Answer, outputTokens: number) {
  const { usage } = answer;
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheWrite5mTokens + usage.cacheWrite1hTokens,
    cache_read_input_tokens: usage.cachedTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: usage.cacheWrite5mTokens,
      ephemeral_1h_input_tokens: usage.cacheWrite1hTokens,
    },
    output_tokens: outputTokens,
  };
}

/**
 * Gemini `usageMetadata`: cached tokens inside `promptTokenCount`, thinking tokens apart from
 * `candidatesTokenCount` (the scenario's `outputTokens` is their sum, as for the other flavours).
 * `share` (0–1] gives a stream chunk's running total.
 */
function geminiUsage(answer: Answer, share = 1) {
  const { usage } = answer;
  const prompt = usage.inputTokens + usage.cachedTokens;
  const candidates = Math.round((usage.outputTokens - usage.reasoningTokens) * share);
  const thoughts = Math.round(usage.reasoningTokens * share);
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    ...(usage.cachedTokens > 0 && { cachedContentTokenCount: usage.cachedTokens }),
    ...(usage.reasoningTokens > 0 && { thoughtsTokenCount: thoughts }),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
}

/** `last`: the JSON body or a stream's last chunk; `extraCandidate`: this one carries `candidateFields`. */
function geminiResponse(answer: Answer, text: string, last: boolean, share: number, extraCandidate = last) {
  const { scenario } = answer;
  return {
    candidates: [
      {
        content: { parts: [{ text }], role: 'model' },
        ...(last && { finishReason: 'STOP' }),
        index: 0,
        ...(extraCandidate && scenario.candidateFields),
      },
    ],
    ...(scenario.omitUsage === true
      ? {}
      : { usageMetadata: { ...geminiUsage(answer, share), ...(last && scenario.usageFields) } }),
    modelVersion: answer.model,
    responseId: 'mock-response',
    ...answer.scenario.responseFields,
  };
}

function jsonBody(answer: Answer): unknown {
  const omit = answer.scenario.omitUsage === true;
  const created = Math.floor(Date.now() / 1000);
  switch (answer.flavor) {
    case 'chat':
      return {
        id: 'chatcmpl-mock',
        object: 'chat.completion',
        created,
        model: answer.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer.text, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        ...(omit ? {} : { usage: openAIUsage(answer, 'chat') }),
        service_tier: 'default',
        ...answer.scenario.responseFields,
      };
    case 'completions':
      return {
        id: 'cmpl-mock',
        object: 'text_completion',
        created,
        model: answer.model,
        choices: [{ text: answer.text, index: 0, logprobs: null, finish_reason: 'stop' }],
        ...(omit ? {} : { usage: openAIUsage(answer, 'completions') }),
      };
    case 'images':
      return {
        created,
        data: [{ b64_json: 'aW1hZ2U=' }],
        ...(omit
          ? {}
          : {
              usage: {
                input_tokens: answer.usage.inputTokens,
                input_tokens_details: { text_tokens: answer.usage.inputTokens, image_tokens: 0 },
                output_tokens: answer.usage.outputTokens,
                total_tokens: answer.usage.inputTokens + answer.usage.outputTokens,
              },
            }),
      };
    case 'responses':
      return responsesObject(answer, 'completed', created);
    case 'embeddings':
      return {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
        model: answer.model,
        ...(omit ? {} : { usage: { prompt_tokens: answer.usage.inputTokens, total_tokens: answer.usage.inputTokens } }),
      };
    case 'messages':
      return {
        id: 'msg_mock',
        type: 'message',
        role: 'assistant',
        model: answer.model,
        content: [...(answer.scenario.anthropicContent ?? []), { type: 'text', text: answer.text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        ...(omit
          ? {}
          : {
              usage: { ...anthropicUsage(answer, answer.usage.outputTokens), ...anthropicUsageExtra(answer, 'json') },
            }),
        ...answer.scenario.responseFields,
      };
    case 'gemini':
      return geminiResponse(answer, answer.text, true, 1);
    case 'gemini-embeddings':
      // The Gemini API answers with the vectors only, no token counts.
      return {
        embeddings: (Array.isArray(answer.requests) ? answer.requests : [{}]).map(() => ({ values: [0.1, 0.2] })),
      };
  }
}

function responsesObject(answer: Answer, status: string, created: number) {
  const done = status === 'completed';
  return {
    id: 'resp_mock',
    object: 'response',
    created_at: created,
    status,
    error: null,
    incomplete_details: null,
    model: answer.model,
    output: done
      ? [
          ...(answer.scenario.outputItems ?? []),
          {
            type: 'message',
            id: 'msg_mock',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: answer.text, annotations: [] }],
          },
        ]
      : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    ...(done && answer.scenario.omitUsage !== true ? { usage: openAIUsage(answer, 'responses') } : { usage: null }),
    ...answer.scenario.responseFields,
  };
}

/** The SSE events of a streamed answer, content chunks marked so cuts can be placed between them. */
function streamEvents(answer: Answer): Array<{ text: string; content: boolean }> {
  const pieces = splitText(answer.text, answer.scenario.chunks ?? 4);
  const omit = answer.scenario.omitUsage === true;
  const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
  const created = Math.floor(Date.now() / 1000);
  const events: Array<{ text: string; content: boolean }> = [];
  const push = (text: string, content = false) => events.push({ text, content });
  if (answer.flavor === 'chat' || answer.flavor === 'completions') {
    const chat = answer.flavor === 'chat';
    const usageField = answer.includeUsage ? { usage: null } : {};
    const header = chat
      ? { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created, model: answer.model }
      : { id: 'cmpl-mock', object: 'text_completion', created, model: answer.model };
    const chunk = (piece: string | undefined, finish: string | null) =>
      sse({
        ...header,
        choices: [
          chat
            ? { index: 0, delta: piece === undefined ? {} : { content: piece }, logprobs: null, finish_reason: finish }
            : { text: piece ?? '', index: 0, logprobs: null, finish_reason: finish },
        ],
        ...usageField,
      });
    if (chat) {
      push(
        sse({
          ...header,
          choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
          ...usageField,
        }),
      );
    }
    for (const piece of pieces) push(chunk(piece, null), true);
    push(chunk(undefined, 'stop'));
    if (answer.includeUsage && !omit) push(sse({ ...header, choices: [], usage: openAIUsage(answer, answer.flavor) }));
    push('data: [DONE]\n\n');
  } else if (answer.flavor === 'gemini') {
    // Every chunk carries the running usage; the last one (with the finish reason) holds the totals.
    const extraChunk = answer.scenario.candidateChunk ?? pieces.length - 1;
    pieces.forEach((piece, index) => {
      const last = index === pieces.length - 1;
      const chunk = geminiResponse(answer, piece, last, (index + 1) / pieces.length, index === extraChunk);
      push(`data: ${JSON.stringify(chunk)}\r\n\r\n`, true);
    });
  } else if (answer.flavor === 'responses') {
    let sequence = 0;
    const event = (type: string, body: object) => sse({ type, sequence_number: sequence++, ...body }, type);
    push(event('response.created', { response: responsesObject(answer, 'in_progress', created) }));
    const items = answer.scenario.outputItems ?? [];
    items.forEach((item, index) => {
      push(event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress' } }));
      push(event('response.output_item.done', { output_index: index, item }));
    });
    // The message item opens and closes around its deltas as on the wire (the SDK's responses.stream() needs it).
    const message = { id: 'msg_mock', type: 'message', role: 'assistant' };
    const part = { output_index: items.length, item_id: 'msg_mock', content_index: 0 };
    push(
      event('response.output_item.added', {
        output_index: items.length,
        item: { ...message, status: 'in_progress', content: [] },
      }),
    );
    push(event('response.content_part.added', { ...part, part: { type: 'output_text', text: '', annotations: [] } }));
    for (const piece of pieces) push(event('response.output_text.delta', { ...part, delta: piece }), true);
    const textPart = { type: 'output_text', text: answer.text, annotations: [] };
    push(event('response.output_text.done', { ...part, text: answer.text }));
    push(event('response.content_part.done', { ...part, part: textPart }));
    push(
      event('response.output_item.done', {
        output_index: items.length,
        item: { ...message, status: 'completed', content: [textPart] },
      }),
    );
    push(event('response.completed', { response: responsesObject(answer, 'completed', created) }));
  } else {
    const event = (type: string, body: object) => sse({ type, ...body }, type);
    push(
      event('message_start', {
        message: {
          id: 'msg_mock',
          type: 'message',
          role: 'assistant',
          model: answer.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: omit ? undefined : { ...anthropicUsage(answer, 1), ...anthropicUsageExtra(answer, 'message_start') },
        },
      }),
    );
    const blocks = answer.scenario.anthropicContent ?? [];
    blocks.forEach((block, index) => {
      push(event('content_block_start', { index, content_block: block }));
      push(event('content_block_stop', { index }));
    });
    const text = blocks.length;
    push(event('content_block_start', { index: text, content_block: { type: 'text', text: '' } }));
    pieces.forEach((piece, index) => {
      if (answer.scenario.inBandErrorAfterChunks === index) {
        push(event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }), true);
      }
      push(event('content_block_delta', { index: text, delta: { type: 'text_delta', text: piece } }), true);
    });
    push(event('content_block_stop', { index: text }));
    const deltaUsage = { output_tokens: answer.usage.outputTokens, ...anthropicUsageExtra(answer, 'message_delta') };
    push(
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        ...(omit ? {} : { usage: deltaUsage }),
      }),
    );
    push(event('message_stop', {}));
  }
  return events;
}

async function writeStream(response: ServerResponse, answer: Answer): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let contentChunks = 0;
  for (const event of streamEvents(answer)) {
    if (response.destroyed) return;
    if (event.content) {
      if (answer.scenario.cutAfterChunks === contentChunks) {
        response.destroy();
        return;
      }
      contentChunks += 1;
      if (answer.scenario.chunkDelayMs) await sleep(answer.scenario.chunkDelayMs);
    }
    response.write(event.text);
    if (answer.flavor === 'messages' && event.text.startsWith('event: error')) {
      response.end();
      return;
    }
  }
  response.end();
}

function errorBody(flavor: Flavor, status: number): unknown {
  const message = `mock failure with status ${status}`;
  if (flavor === 'gemini' || flavor === 'gemini-embeddings') {
    return { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL' } };
  }
  return flavor === 'messages'
    ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } }
    : { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
}

/**
 * A loopback HTTP server that speaks the OpenAI (chat completions, legacy completions, responses, embeddings,
 * image generations), Anthropic
 * (messages) and Gemini (generateContent, streamGenerateContent) wire formats, JSON and SSE, with knobs
 * for usage, delays, failures and cut streams. Point the real SDKs at it with `baseURL` (`httpOptions.baseUrl`
 * for `@google/genai`). It never needs a key and never leaves the machine.
 */
export async function startMockProvider(options: { scenario?: MockScenario } = {}): Promise<MockProvider> {
  let scenarioOf: (request: MockRequestRecord) => MockScenario = () => options.scenario ?? {};
  const requests: MockRequestRecord[] = [];
  const countRequests: MockRequestRecord[] = [];
  const failuresSoFar = new Map<string, number>();
  let open = 0;
  let rawResponse: MockRawResponse | undefined;

  const server = createServer(async (request, response) => {
    open += 1;
    response.on('close', () => {
      open -= 1;
    });
    // The query string is dropped whole: Gemini may send its API key there (`key=`).
    const path = (request.url ?? '').split('?')[0] ?? '';
    const route = routeOf(path);
    const flavor = route?.flavor;
    const received = await readBody(request);
    const body = route?.model === undefined ? received : { ...received, model: route.model };
    const retryHeader = Number(request.headers['x-stainless-retry-count'] ?? 0);
    const record: MockRequestRecord = {
      path,
      body,
      retryCount: Number.isFinite(retryHeader) ? retryHeader : 0,
      headers: headersOf(request),
      status: 200,
      billed: undefined,
    };
    if (COUNT_ROUTE.test(path)) {
      countRequests.push(record);
      await answerCount(response, record, path, scenarioOf(record));
      return;
    }
    requests.push(record);
    if (!flavor) {
      record.status = 404;
      response
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    if (rawResponse) {
      const { status = 200, contentType, body: rawBody } = rawResponse;
      record.status = status;
      response.writeHead(status, contentType === undefined ? {} : { 'content-type': contentType }).end(rawBody);
      return;
    }
    const scenario = scenarioOf(record);
    if (scenario.delayMs) await sleep(scenario.delayMs);
    if (response.destroyed) return;
    const failureKey = JSON.stringify(body);
    const failed = failuresSoFar.get(failureKey) ?? 0;
    if (scenario.failStatus && (scenario.failTimes === undefined || failed < scenario.failTimes)) {
      failuresSoFar.set(failureKey, failed + 1);
      record.status = scenario.failStatus;
      response
        .writeHead(scenario.failStatus, { 'content-type': 'application/json', 'retry-after-ms': '1' })
        .end(JSON.stringify(errorBody(flavor, scenario.failStatus)));
      return;
    }
    const cap = outputCap(body);
    const outputTokens =
      flavor === 'embeddings' || flavor === 'gemini-embeddings'
        ? 0
        : Math.min(scenario.outputTokens ?? 16, cap ?? Number.MAX_SAFE_INTEGER);
    const answer: Answer = {
      flavor,
      model: typeof body.model === 'string' ? body.model : 'unknown',
      text: scenario.text ?? 'lorem ipsum dolor sit amet, consectetur adipiscing elit',
      scenario,
      includeUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
      requests: body.requests,
      usage: {
        inputTokens: scenario.inputTokens ?? Math.ceil(defaultInputTokens(body)),
        cachedTokens: scenario.cachedTokens ?? 0,
        cacheWrite5mTokens: scenario.cacheWrite5mTokens ?? 0,
        cacheWrite1hTokens: scenario.cacheWrite1hTokens ?? 0,
        outputTokens,
        reasoningTokens: Math.min(scenario.reasoningTokens ?? 0, outputTokens),
      },
    };
    record.billed = answer.usage;
    if ((body.stream === true || route?.stream === true) && flavor !== 'embeddings') {
      if (scenario.sse !== undefined) {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }).end(scenario.sse);
        return;
      }
      // Image streams are only spoken through `sse`; without it the mock answers JSON.
      if (flavor !== 'images') {
        await writeStream(response, answer);
        return;
      }
    }
    response
      .writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_mock' })
      .end(JSON.stringify(scenario.body !== undefined ? scenario.body : jsonBody(answer)));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    countRequests,
    setScenario(scenario) {
      scenarioOf = typeof scenario === 'function' ? scenario : () => scenario;
      failuresSoFar.clear();
    },
    setRawResponse(raw) {
      rawResponse = raw;
    },
    get openRequests() {
      return open;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
