export { createFakeClock, type FakeClock } from './fake-clock.js';
export type { ConformanceRunner } from './ledger-store-conformance.js';
export { runLedgerStoreConformance, sampleCallRecord } from './ledger-store-conformance.js';
export type { MockProvider, MockRawResponse, MockRequestRecord, MockScenario } from './mock-llm-server.js';
export { startMockProvider } from './mock-llm-server.js';
export { sampleAttachments } from './sample-attachments.js';
