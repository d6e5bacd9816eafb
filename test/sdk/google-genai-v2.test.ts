import { describeGoogleGenAIContract } from './contracts/google-genai-contract.js';

describeGoogleGenAIContract({ name: '@google/genai 2', load: () => import('@google/genai') });
