import { describeOpenAIContract } from './contracts/openai-contract.js';

describeOpenAIContract({ name: 'openai 6', load: () => import('openai') });
