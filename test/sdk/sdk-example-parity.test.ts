/**
 * Drop-in parity: programs shaped after the SDKs' own examples (openai-node `examples/`,
 * anthropic-sdk-typescript `examples/`, js-genai `sdk-samples/`; our own adaptations, written for the
 * mock), each run on a raw client and on a guarded one. What they print and the request bodies the
 * mock receives must be the same: the guard prices and holds the call without the caller (or the
 * provider) seeing a difference.
 */
import { inspect } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { guard } from '../../src/index.js';
import type { MockProvider, MockScenario } from '../../src/testing/index.js';
import { anthropicClient, geminiClient, openAIClient } from '../support/clients.js';
import { useMockProvider } from '../support/mock-provider.js';

let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

type Print = (label: string, ...value: [unknown?]) => void;
type Program<C> = (client: C, print: Print) => Promise<void>;

/** Timestamps differ between two runs; everything else the programs print must not. */
function normalized(value: unknown): string {
  return (
    JSON.stringify(value, (key, field: unknown) => (key === 'created' || key === 'created_at' ? 0 : field)) ??
    'undefined'
  );
}

interface Run {
  printed: string[];
  bodies: unknown[];
}

async function run<C>(client: C, program: Program<C>, scenario: MockScenario): Promise<Run> {
  mock.setScenario(scenario);
  mock.requests.length = 0;
  const printed: string[] = [];
  const print: Print = (label, ...value) => {
    printed.push(value.length > 0 ? `${label} ${normalized(value[0])}` : label);
  };
  try {
    await program(client, print);
  } catch (error) {
    printed.push(`threw ${(error as Error).constructor.name}: ${(error as Error).message}`);
  }
  return { printed, bodies: mock.requests.map((request) => request.body) };
}

/** Runs `program` raw and guarded (a budget, so the full priced path) and expects the same output and bodies. */
async function expectParity<C extends object>(
  makeClient: () => C,
  program: Program<C>,
  scenario: MockScenario = {},
  /** What the guard must add to a body (OpenAI streams: the usage report it prices from), identity otherwise. */
  addedByGuard: (body: unknown) => unknown = (body) => body,
): Promise<Run> {
  const raw = await run(makeClient(), program, scenario);
  const guarded = await run(guard(makeClient(), { budget: 10, label: 'parity' }) as C, program, scenario);
  expect(guarded.printed).toEqual(raw.printed);
  expect(guarded.bodies).toEqual(raw.bodies.map(addedByGuard));
  expect(raw.printed.some((line) => line.startsWith('threw'))).toBe(false);
  return raw;
}

const question = [{ role: 'user' as const, content: 'Say this is a test' }];

/** The one change the guard makes to an OpenAI stream request that asks for no usage: it asks for it. */
const askedForUsage = (body: unknown) => ({ ...(body as object), stream_options: { include_usage: true } });

/** A chat completion asking for one tool call (openai-node `function-call.ts` shape). */
const TOOL_CALL_COMPLETION = {
  id: 'chatcmpl-tool',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
        refusal: null,
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
};

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('openai-node examples, raw and guarded', () => {
  const client = () => openAIClient(mock);

  it('chat-completions/demo: create, then the message and usage', async () => {
    await expectParity(client, async (openai, print) => {
      const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: question });
      print('message', completion.choices[0]?.message);
      print('usage', completion.usage);
      print('keys', Object.keys(completion));
    });
  });

  it('chat-completions/stream (raw chunks, no stream_options): no usage key on any chunk', async () => {
    const raw = await expectParity(
      client,
      async (openai, print) => {
        const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: question, stream: true });
        for await (const chunk of stream) print('chunk', chunk);
      },
      { chunks: 5 },
      askedForUsage,
    );
    expect(raw.printed.some((line) => line.includes('"usage"'))).toBe(false);
  });

  it('chat-completions/stream helper: content events, final message and finalChatCompletion()', async () => {
    await expectParity(
      client,
      async (openai, print) => {
        const runner = openai.chat.completions
          .stream({ model: 'gpt-4o-mini', messages: question })
          .on('content', (delta) => print('content', delta))
          .on('message', (message) => print('message', message));
        for await (const chunk of runner) print('chunk', chunk);
        const final = await runner.finalChatCompletion();
        print('final', final);
        print('final has usage key', 'usage' in final);
      },
      {},
      askedForUsage,
    );
  });

  it("stream with the caller's own stream_options.include_usage: their usage chunk arrives untouched", async () => {
    const raw = await expectParity(client, async (openai, print) => {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: question,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) print('chunk', chunk);
    });
    expect(raw.printed.at(-1)).toMatch(/"choices":\[\].*"usage":\{"prompt_tokens"/);
  });

  it('chat-completions/parsing: parse() with a JSON schema response format', async () => {
    await expectParity(
      client,
      async (openai, print) => {
        const completion = await openai.chat.completions.parse({
          model: 'gpt-4o-mini',
          messages: question,
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'answer',
              strict: true,
              schema: {
                type: 'object',
                properties: { text: { type: 'string' } },
                required: ['text'],
                additionalProperties: false,
              },
            },
          },
        });
        print('parsed', completion.choices[0]?.message.parsed);
      },
      { text: '{"text":"this is a test"}' },
    );
  });

  it('chat-completions/function-call: a tool call answered, then the follow-up turn', async () => {
    await expectParity(
      client,
      async (openai, print) => {
        const first = await openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: question,
          tools: [WEATHER_TOOL],
        });
        const call = first.choices[0]?.message.tool_calls?.[0];
        print('tool call', call);
        const second = await openai.chat.completions.create({
          model: 'gpt-4o-mini',
          messages: [
            ...question,
            first.choices[0]?.message as OpenAI.Chat.ChatCompletionMessageParam,
            { role: 'tool', tool_call_id: call?.id ?? '', content: '{"celsius":21}' },
          ],
          tools: [WEATHER_TOOL],
        });
        print('second', second.choices[0]?.finish_reason);
      },
      { body: TOOL_CALL_COMPLETION },
    );
  });

  it('responses/stream: the Responses API, JSON and streamed events', async () => {
    await expectParity(client, async (openai, print) => {
      const response = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Say this is a test' });
      print('output_text', response.output_text);
      const stream = await openai.responses.create({ model: 'gpt-4o-mini', input: 'Again', stream: true });
      for await (const event of stream) print('event', event);
    });
  });

  it('withResponse(): the parsed data with the raw response headers', async () => {
    await expectParity(client, async (openai, print) => {
      const { data, response } = await openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: question, max_tokens: 50 })
        .withResponse();
      print('data', data.choices[0]?.message.content);
      print('status', response.status);
      print('request id', response.headers.get('x-request-id'));
    });
  });
});

describe('anthropic-sdk-typescript examples, raw and guarded', () => {
  const client = () => anthropicClient(mock);
  const messages = [{ role: 'user' as const, content: 'Hey Claude! How do I list files recursively in Rust?' }];

  it('demo: messages.create', async () => {
    await expectParity(client, async (anthropic, print) => {
      const message = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 1024, messages });
      print('message', message);
    });
  });

  it('streaming: the messages.stream() helper with contentBlock / message events and finalMessage()', async () => {
    await expectParity(
      client,
      async (anthropic, print) => {
        const stream = anthropic.messages
          .stream({ model: 'claude-haiku-4-5', max_tokens: 1024, messages })
          .on('contentBlock', (block) => print('contentBlock', block))
          .on('message', (message) => print('message', message));
        for await (const event of stream) print('event', event);
        print('finalMessage', await stream.finalMessage());
      },
      { chunks: 4 },
    );
  });

  it('raw-streaming: messages.create({ stream: true }) events', async () => {
    await expectParity(client, async (anthropic, print) => {
      const stream = await anthropic.messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 256,
        messages,
        stream: true,
      });
      for await (const event of stream) print('event', event);
    });
  });

  it('tools: a tool_use answer and the tool_result turn', async () => {
    await expectParity(
      client,
      async (anthropic, print) => {
        const tools: Anthropic.Tool[] = [
          {
            name: 'get_weather',
            description: 'The weather in a city',
            input_schema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ];
        const first = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 512, messages, tools });
        const use = first.content.find((block) => block.type === 'tool_use');
        print('tool_use', use);
        const second = await anthropic.messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 512,
          tools,
          messages: [
            ...messages,
            { role: 'assistant', content: first.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: use?.id ?? '', content: '21 °C' }] },
          ],
        });
        print('stop_reason', second.stop_reason);
      },
      {
        anthropicContent: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
      },
    );
  });

  it('streaming text deltas with .on("text") and withResponse()', async () => {
    await expectParity(client, async (anthropic, print) => {
      const texts: string[] = [];
      const stream = anthropic.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages });
      stream.on('text', (text) => texts.push(text));
      print('final text', (await stream.finalText()).length);
      print('texts', texts);
      const { data, response } = await anthropic.messages
        .create({ model: 'claude-haiku-4-5', max_tokens: 64, messages })
        .withResponse();
      print('withResponse', [data.stop_reason, response.status]);
    });
  });
});

describe('js-genai sdk-samples, raw and guarded', () => {
  const client = () => geminiClient(mock);

  it('generate_content_with_text: generateContent, response.text and usage', async () => {
    await expectParity(client, async (ai, print) => {
      const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' });
      print('text', response.text);
      print('usage', response.usageMetadata);
    });
  });

  it('generate_content_streaming: generateContentStream chunk texts (no config: body as written)', async () => {
    const raw = await expectParity(
      client,
      async (ai, print) => {
        const stream = await ai.models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: 'Tell me a story.',
        });
        for await (const chunk of stream) print('chunk', chunk.text);
      },
      { chunks: 4 },
    );
    expect(raw.bodies[0]).not.toHaveProperty('generationConfig');
  });

  it('generate_content_with_system_instructions and model configuration', async () => {
    await expectParity(client, async (ai, print) => {
      const response = await ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'Hello there',
        config: { systemInstruction: 'You are a cat. Your name is Neko.', temperature: 0.1, maxOutputTokens: 200 },
      });
      print('text', response.text);
    });
  });

  it('chats: a chat session, two turns and its history', async () => {
    await expectParity(client, async (ai, print) => {
      const chat = ai.chats.create({ model: 'gemini-2.5-flash' });
      print('first', (await chat.sendMessage({ message: 'Why is the sky blue?' })).text);
      print('second', (await chat.sendMessage({ message: 'Why is the sunset red?' })).text);
      print('history', chat.getHistory());
    });
  });

  it('embed_content: embedContent', async () => {
    await expectParity(client, async (ai, print) => {
      const response = await ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'Hello world!' });
      print('dimensions', response.embeddings?.[0]?.values?.length);
    });
  });
});

describe('a guarded client looks like the raw one', () => {
  const cases: Array<[string, string, () => object]> = [
    ['OpenAI', 'chat.completions', () => openAIClient(mock)],
    ['Anthropic', 'messages', () => anthropicClient(mock)],
    ['GoogleGenAI', 'models', () => geminiClient(mock)],
  ];
  const at = (root: object, path: string) =>
    path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], root) as object;

  it.each(cases)(
    '%s: constructor, name, instanceof, keys and util.inspect, of the client and of %s',
    (_name, path, make) => {
      const raw = make();
      const guarded = guard(make(), { budget: 1 });
      const Client = raw.constructor as new (...args: never[]) => object;
      expect(guarded.constructor).toBe(Client);
      expect(guarded.constructor.name).toBe(Client.name);
      expect(guarded).toBeInstanceOf(Client);
      expect(guarded).toBeInstanceOf(
        raw instanceof OpenAI ? OpenAI : raw instanceof Anthropic ? Anthropic : GoogleGenAI,
      );
      expect(Object.keys(guarded)).toEqual(Object.keys(raw));
      expect(inspect(guarded, { depth: 3 })).toBe(inspect(raw, { depth: 3 }));

      const rawResource = at(raw, path);
      const guardedResource = at(guarded, path);
      expect(guardedResource.constructor).toBe(rawResource.constructor);
      expect(guardedResource).toBeInstanceOf(rawResource.constructor);
      expect(Object.keys(guardedResource)).toEqual(Object.keys(rawResource));
      expect(inspect(guardedResource, { depth: 2 })).toBe(inspect(rawResource, { depth: 2 }));
      const method = path === 'models' ? 'generateContent' : 'create';
      const rawMethod = (rawResource as Record<string, (...args: unknown[]) => unknown>)[method];
      const guardedMethod = (guardedResource as Record<string, (...args: unknown[]) => unknown>)[method];
      expect(guardedMethod?.name).toBe(rawMethod?.name);
      expect(guardedMethod?.length).toBe(rawMethod?.length);
    },
  );
});
