import { get_encoding } from 'tiktoken';
import { afterAll, describe, expect, it } from 'vitest';
import { countTokens, encodingForModel, utf8Length } from './count-tokens.js';
import { createPromptShape, promptTokenBound, promptTokenCount } from './estimate-prompt-tokens.js';

const reference = get_encoding('o200k_base');
afterAll(() => reference.free());

const samples = [
  'Summarise the quarterly report in three bullet points, please.',
  'def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n',
  '多智能体系统中的成本归因：哪个代理花了钱？',
  'Emoji 🚀🔥 and accents: café, naïve, Zürich — “quotes”.',
  'hello <|endoftext|> world',
];

describe('countTokens', () => {
  it.each(samples)('matches the tiktoken reference on %j', (text) => {
    expect(countTokens(text, 'o200k_base')).toBe(reference.encode_ordinary(text).length);
  });

  it('counts special-token text as ordinary text instead of throwing', () => {
    expect(countTokens('hello <|endoftext|> world', 'o200k_base')).toBe(9);
  });

  it('stays linear on a run without spaces: 10× the characters take far less than 100× the time', () => {
    countTokens('warm up', 'o200k_base');
    // A ratio of two sizes in one run, best of three each: a busy machine slows both alike, and a
    // quadratic tokenizer would show ~100× where a linear one shows ~10×.
    const bestMs = (text: string) => {
      let best = Number.POSITIVE_INFINITY;
      for (let round = 0; round < 3; round += 1) {
        const started = performance.now();
        expect(countTokens(text, 'o200k_base')).toBeGreaterThan(0);
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const small = bestMs('a'.repeat(10_000));
    const large = bestMs('a'.repeat(100_000));
    expect(large / Math.max(small, 0.05)).toBeLessThan(40);
  });

  it('never splits a surrogate pair and over-counts at most slightly on long CJK runs', () => {
    const cjk = '多智能体系统中的成本归因'.repeat(100);
    const sliced = countTokens(cjk, 'o200k_base');
    const exact = reference.encode_ordinary(cjk).length;
    expect(sliced).toBeGreaterThanOrEqual(exact);
    expect(sliced).toBeLessThanOrEqual(exact * 1.02);
    const emoji = '🚀'.repeat(300);
    expect(countTokens(emoji, 'o200k_base')).toBeGreaterThanOrEqual(reference.encode_ordinary(emoji).length);
  });

  it('picks the encoding by model family', () => {
    expect(encodingForModel('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-5')).toBe('o200k_base');
    expect(encodingForModel('gpt-4-turbo')).toBe('cl100k_base');
    expect(encodingForModel('gpt-4.1')).toBe('o200k_base');
    expect(encodingForModel('gpt-3.5-turbo')).toBe('cl100k_base');
  });
});

describe('prompt estimates', () => {
  it('the UTF-8 bound is never below the exact count', () => {
    const prompt = createPromptShape();
    prompt.texts.push(...samples);
    prompt.messages = samples.length;
    expect(promptTokenBound(prompt, 0)).toBeGreaterThanOrEqual(promptTokenCount(prompt, 'o200k_base', 0));
    expect(utf8Length('é')).toBe(2);
  });
});
