import { describeGoogleGenAIContract, type GoogleGenAIModule } from './contracts/google-genai-contract.js';

describeGoogleGenAIContract({
  name: '@google/genai 3',
  // The contract is typed with @google/genai 2; private members make the two majors' classes distinct types.
  load: async () => (await import('@google/genai-v3')) as unknown as GoogleGenAIModule,
  node: { major: 22 },
});
