import { type AnthropicModule, describeAnthropicContract } from './contracts/anthropic-contract.js';

describeAnthropicContract({
  name: '@anthropic-ai/sdk 1.17',
  // The contract is typed with 1.14; private members make the two copies' classes distinct types.
  load: async () => (await import('@anthropic-ai/sdk-v1-17')) as unknown as AnthropicModule,
});
