export type { MockProvider, MockRequestRecord, MockScenario } from './mock-llm-server.js';
export { startMockProvider } from './mock-llm-server.js';
