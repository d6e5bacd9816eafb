import { describeOpenAIContract, type OpenAIModule } from './contracts/openai-contract.js';

describeOpenAIContract({
  name: 'openai 7',
  // The contract is typed with openai 6; private members make the two majors' classes distinct types.
  load: async () => (await import('openai-v7')) as unknown as OpenAIModule,
  node: { major: 22 },
});
