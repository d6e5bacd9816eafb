import OpenAI from 'openai';
import { guard } from '../src/index.js';
import { createFakeOpenAI } from './fake-providers.js';
import { ASSISTANT_REPLY, SYSTEM_PROMPT, USER_FOLLOW_UP, USER_QUESTION } from './texts.js';
const mode = process.argv[2] ?? 'guarded';
const stream = process.argv[3] === 'stream';
const fake = createFakeOpenAI();
const raw = new OpenAI({ apiKey: 'sk', baseURL: 'http://bench.invalid/v1', maxRetries: 0, fetch: fake.fetch });
const client = mode === 'guarded' ? guard(raw, { budget: 1e6, label: 'b' }) : raw;
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: USER_QUESTION },
  { role: 'assistant', content: ASSISTANT_REPLY }, { role: 'user', content: USER_FOLLOW_UP }];
const t0 = performance.now();
const n = 30000;
for (let i = 0; i < n; i++) {
  if (stream) { const s = await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 500, stream: true }); for await (const c of s) void c; }
  else await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 500 });
}
console.log(mode, stream, ((performance.now() - t0) / n * 1000).toFixed(1), 'us/call');
