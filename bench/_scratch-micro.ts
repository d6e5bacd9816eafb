import { createFakeOpenAI } from './fake-providers.js';
const N = 50000;
function t(name: string, f: () => unknown) { for (let i = 0; i < 5000; i++) f(); const s = performance.now(); for (let i = 0; i < N; i++) f(); console.log(name.padEnd(40), ((performance.now() - s) / N * 1000).toFixed(2), 'us'); }
async function ta(name: string, f: () => Promise<unknown>) { for (let i = 0; i < 5000; i++) await f(); const s = performance.now(); for (let i = 0; i < N; i++) await f(); console.log(name.padEnd(40), ((performance.now() - s) / N * 1000).toFixed(2), 'us'); }
const fake = createFakeOpenAI();
const res = await fake.fetch('http://x/v1/chat/completions', { body: '{}' });
const text = await res.text();
console.log('body bytes', text.length);
t('new AbortController()', () => new AbortController());
t('AbortSignal.any([a,b])', () => AbortSignal.any([new AbortController().signal, new AbortController().signal]));
t('JSON.parse(body)', () => JSON.parse(text));
const re = /"usage"\s*:\s*(\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\})/;
t('regex usage + parse usage', () => JSON.parse(re.exec(text)![1]!));
t('text.lastIndexOf usage + parse', () => JSON.parse(text.slice(text.lastIndexOf('"usage"') + 8, text.lastIndexOf('}', text.lastIndexOf('"service_tier"')) + 1)));
await ta('fake fetch + res.text()', async () => (await fake.fetch('http://x/v1/chat/completions', { body: '{}' })).text());
await ta('fake fetch + text + new Response(text)+json', async () => { const r = await fake.fetch('http://x/v1/chat/completions', { body: '{}' }); const s = await r.text(); const r2 = new Response(s, { status: r.status, statusText: r.statusText, headers: r.headers }); Object.defineProperty(r2, 'url', { value: r.url }); return r2.json(); });
await ta('fake fetch + json', async () => (await fake.fetch('http://x/v1/chat/completions', { body: '{}' })).json());
const ev = { type: 'call-settled', provider: 'openai', model: 'gpt-4o', modelUsed: 'gpt-4o', attempt: 1, outcome: 'ok', costUsd: 1, costNanos: 1, reservedUsd: 1, source: 'provider', usage: {}, priceOrigin: 'x', status: 200, durationMs: 1, stream: false };
t('event spread x2', () => ({ ...{ ...ev }, label: 'b', path: 'b', timestamp: Date.now() }));
