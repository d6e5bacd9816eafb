import { afterAll, afterEach, beforeAll } from 'vitest';
import { type MockProvider, startMockProvider } from '../../src/testing/index.js';

/** Starts one mock provider for a test file (handed to `use`); scenario and request log reset after every test. */
export function useMockProvider(use: (mock: MockProvider) => void): void {
  let mock: MockProvider | undefined;
  beforeAll(async () => {
    mock = await startMockProvider();
    use(mock);
  });
  afterAll(() => mock?.close());
  afterEach(() => {
    mock?.setScenario({});
    mock?.setRawResponse(undefined);
    if (mock) mock.requests.length = 0;
    if (mock) mock.countRequests.length = 0;
  });
}
