import { createRequire } from 'node:module';
import { cjkRun, englishText } from './texts.js';
const enc = createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as { countTokens(t: string, o?: object): number; clearMergeCache(): void };
const opts = { disallowedSpecial: new Set<string>() };
const text = cjkRun(40_000);
enc.countTokens('warm', opts);
for (const slice of [16, 32, 64, 128, 256, 512]) {
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    enc.clearMergeCache();
    const s = performance.now();
    for (let i = 0; i < text.length; i += slice) enc.countTokens(text.slice(i, i + slice), opts);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(`CJK 40k chars, slice ${slice}: ${times[2]!.toFixed(1)} ms cold`);
}
// Punctuated CJK (realistic Chinese prose): runs broken by 。，
const prose = text.replace(/(.{20})/g, '$1，').replace(/(.{60})/g, '$1。');
enc.clearMergeCache(); let s = performance.now(); enc.countTokens(prose, opts); console.log('CJK with punctuation every 20 chars, whole', (performance.now() - s).toFixed(1), 'ms', prose.length);
const e = englishText(10000); enc.clearMergeCache(); s = performance.now(); const n = enc.countTokens(e, opts); console.log('english', n, (performance.now() - s).toFixed(1));
