import { type AiSdkModules, describeAiSdkContract } from './contracts/ai-sdk-contract.js';

describeAiSdkContract({
  name: 'AI SDK 5 (ai 5, @ai-sdk/* 2, LanguageModelV2)',
  // Typed with the ai 6 line: the V2 types are other shapes of the same calls.
  load: async () =>
    ({
      ai: await import('ai-v5'),
      createOpenAI: (await import('@ai-sdk/openai-v2')).createOpenAI,
      createAnthropic: (await import('@ai-sdk/anthropic-v2')).createAnthropic,
      createGoogleGenerativeAI: (await import('@ai-sdk/google-v2')).createGoogleGenerativeAI,
    }) as unknown as AiSdkModules,
  modelSpecification: 'v2',
  middlewareSpecification: 'v3',
});
