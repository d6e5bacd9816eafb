import type { LanguageModelMiddleware } from 'ai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidOptionsError } from '../../src/index.js';
import { tokenfenceMiddleware } from '../../src/integrations/ai-sdk/index.js';
import { describeAiSdkContract } from './contracts/ai-sdk-contract.js';

// ai 6's own types take the middleware as it comes (the default declares the v3 specification).
expectTypeOf(tokenfenceMiddleware({ budget: 1 })).toExtend<LanguageModelMiddleware>();

describeAiSdkContract({
  name: 'AI SDK 6 (ai 6, @ai-sdk/* 3, LanguageModelV3)',
  load: async () => ({
    ai: await import('ai'),
    createOpenAI: (await import('@ai-sdk/openai')).createOpenAI,
    createAnthropic: (await import('@ai-sdk/anthropic')).createAnthropic,
    createGoogleGenerativeAI: (await import('@ai-sdk/google')).createGoogleGenerativeAI,
  }),
  modelSpecification: 'v3',
  middlewareSpecification: 'v3',
});

describe('tokenfenceMiddleware specificationVersion', () => {
  it("declares 'v3' by default and 'v4' when asked; any other value is an InvalidOptionsError", () => {
    expect(tokenfenceMiddleware().specificationVersion).toBe('v3');
    expect(tokenfenceMiddleware({ specificationVersion: 'v4' }).specificationVersion).toBe('v4');
    const wrong = { specificationVersion: 'v2' } as unknown as { specificationVersion: 'v3' };
    expect(() => tokenfenceMiddleware(wrong)).toThrow(InvalidOptionsError);
  });
});
