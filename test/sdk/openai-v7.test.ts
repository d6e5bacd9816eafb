import { describeOpenAIContract } from './contracts/openai-contract.js';

describeOpenAIContract({ name: 'openai 7', load: () => import('openai-v7'), node: { major: 22 } });
