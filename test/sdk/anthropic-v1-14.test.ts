import { describeAnthropicContract } from './contracts/anthropic-contract.js';

describeAnthropicContract({ name: '@anthropic-ai/sdk 1.14', load: () => import('@anthropic-ai/sdk') });
