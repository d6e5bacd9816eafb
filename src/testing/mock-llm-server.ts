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
}

/** One request the mock received; auth headers and API keys (header or `key` query parameter) are never recorded. */
export interface MockRequestRecord {
  path: string;
  /** The JSON body; for Gemini routes `model` is added, from the URL path (where Gemini sends it). */
  body: Record<string, unknown>;
  /** The SDK's retry counter header (0 for the first attempt). */
  retryCount: number;
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
  /** Every request received, in order. */
  requests: MockRequestRecord[];
  /** Replaces the scenario (a value, or a function of the request). */
  setScenario(scenario: MockScenario | ((request: MockRequestRecord) => MockScenario)): void;
  /** Answers every request to a known route with this response instead (undefined: back to the scenario). */
  setRawResponse(raw: MockRawResponse | undefined): void;
  /** Requests whose response has not finished yet. */
  readonly openRequests: number;
  close(): Promise<void>;
}

type Flavor = 'chat' | 'responses' | 'embeddings' | 'messages' | 'gemini';
const ROUTES: Record<string, Flavor> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
  '/v1/messages': 'messages',
};

/** `POST /v1beta/models/{model}:generateContent` and `…:streamGenerateContent?alt=sse` (any API version). */
const GEMINI_ROUTE = /^\/v1[a-z0-9]*\/(?:models|tunedModels)\/([^/:]+):(generateContent|streamGenerateContent)$/;

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
    flavor: 'gemini',
    model: decodeURIComponent(gemini[1] ?? ''),
    stream: gemini[2] === 'streamGenerateContent',
  };
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
  const prompt = body.messages ?? body.input ?? body.contents;
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
}

function openAIUsage(answer: Answer, inputKeys: 'chat' | 'responses') {
  const { usage } = answer;
  const prompt = usage.inputTokens + usage.cachedTokens;
  if (inputKeys === 'chat') {
    return {
      prompt_tokens: prompt,
      completion_tokens: usage.outputTokens,
      total_tokens: prompt + usage.outputTokens,
      prompt_tokens_details: { cached_tokens: usage.cachedTokens, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, audio_tokens: 0 },
    };
  }
  return {
    input_tokens: prompt,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: prompt + usage.outputTokens,
  };
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

function geminiResponse(answer: Answer, text: string, finished: boolean, share: number) {
  return {
    candidates: [
      {
        content: { parts: [{ text }], role: 'model' },
        ...(finished && { finishReason: 'STOP' }),
        index: 0,
      },
    ],
    ...(answer.scenario.omitUsage === true ? {} : { usageMetadata: geminiUsage(answer, share) }),
    modelVersion: answer.model,
    responseId: 'mock-response',
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
        content: [{ type: 'text', text: answer.text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        ...(omit ? {} : { usage: anthropicUsage(answer, answer.usage.outputTokens) }),
      };
    case 'gemini':
      return geminiResponse(answer, answer.text, true, 1);
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
  if (answer.flavor === 'chat') {
    const usageField = answer.includeUsage ? { usage: null } : {};
    const chunk = (delta: object, finish: string | null) =>
      sse({
        id: 'chatcmpl-mock',
        object: 'chat.completion.chunk',
        created,
        model: answer.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...usageField,
      });
    push(chunk({ role: 'assistant', content: '' }, null));
    for (const piece of pieces) push(chunk({ content: piece }, null), true);
    push(chunk({}, 'stop'));
    if (answer.includeUsage && !omit) {
      push(
        sse({
          id: 'chatcmpl-mock',
          object: 'chat.completion.chunk',
          created,
          model: answer.model,
          choices: [],
          usage: openAIUsage(answer, 'chat'),
        }),
      );
    }
    push('data: [DONE]\n\n');
  } else if (answer.flavor === 'gemini') {
    // Every chunk carries the running usage; the last one (with the finish reason) holds the totals.
    pieces.forEach((piece, index) => {
      const last = index === pieces.length - 1;
      push(`data: ${JSON.stringify(geminiResponse(answer, piece, last, (index + 1) / pieces.length))}\r\n\r\n`, true);
    });
  } else if (answer.flavor === 'responses') {
    let sequence = 0;
    const event = (type: string, body: object) => sse({ type, sequence_number: sequence++, ...body }, type);
    push(event('response.created', { response: responsesObject(answer, 'in_progress', created) }));
    for (const piece of pieces)
      push(
        event('response.output_text.delta', { item_id: 'msg_mock', output_index: 0, content_index: 0, delta: piece }),
        true,
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
          usage: omit ? undefined : anthropicUsage(answer, 1),
        },
      }),
    );
    push(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    pieces.forEach((piece, index) => {
      if (answer.scenario.inBandErrorAfterChunks === index) {
        push(event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }), true);
      }
      push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } }), true);
    });
    push(event('content_block_stop', { index: 0 }));
    push(
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        ...(omit ? {} : { usage: { output_tokens: answer.usage.outputTokens } }),
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
  if (flavor === 'gemini') {
    return { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL' } };
  }
  return flavor === 'messages'
    ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } }
    : { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } };
}

/**
 * A loopback HTTP server that speaks the OpenAI (chat completions, responses, embeddings), Anthropic
 * (messages) and Gemini (generateContent, streamGenerateContent) wire formats, JSON and SSE, with knobs
 * for usage, delays, failures and cut streams. Point the real SDKs at it with `baseURL` (`httpOptions.baseUrl`
 * for `@google/genai`). It never needs a key and never leaves the machine.
 */
export async function startMockProvider(options: { scenario?: MockScenario } = {}): Promise<MockProvider> {
  let scenarioOf: (request: MockRequestRecord) => MockScenario = () => options.scenario ?? {};
  const requests: MockRequestRecord[] = [];
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
      status: 200,
      billed: undefined,
    };
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
      flavor === 'embeddings' ? 0 : Math.min(scenario.outputTokens ?? 16, cap ?? Number.MAX_SAFE_INTEGER);
    const answer: Answer = {
      flavor,
      model: typeof body.model === 'string' ? body.model : 'unknown',
      text: scenario.text ?? 'lorem ipsum dolor sit amet, consectetur adipiscing elit',
      scenario,
      includeUsage: (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
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
      await writeStream(response, answer);
      return;
    }
    response
      .writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_mock' })
      .end(JSON.stringify(jsonBody(answer)));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
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
