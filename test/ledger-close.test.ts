import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { guard, TokenFence } from '../src/index.js';
import { openSqliteLedgerStore } from '../src/stores/sqlite/sqlite-ledger-store.js';
import type { MockProvider } from '../src/testing/index.js';
import { chatMessages, openAIClient } from './support/clients.js';
import { useMockProvider } from './support/mock-provider.js';

// TOKENFENCE_W003 ("a ledger record after close()"): a record given to a ledger that is already closed
// cannot be written. These tests pin down that a program that awaits its calls before close() never
// sees it and loses no record — including when one store object is shared by several fences, where the
// first fence to close used to shut the store under the others.
let mock: MockProvider;
useMockProvider((started) => {
  mock = started;
});

const warnings: string[] = [];
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code === 'TOKENFENCE_W003') warnings.push(warning.message);
});
afterEach(() => {
  warnings.length = 0;
});

const ledgerFile = () => join(mkdtempSync(join(tmpdir(), 'tokenfence-close-')), 'ledger.db');
const ask = (client: ReturnType<typeof openAIClient>) =>
  client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: chatMessages });

describe('closing fences loses no record', () => {
  it('fences sharing one store object: each close() leaves the store open for the others; the last closes it', async () => {
    const file = ledgerFile();
    const store = openSqliteLedgerStore(file);
    const fence = new TokenFence({ budget: 5, label: 'fleet', store });
    const agents = Array.from({ length: 5 }, (_, index) =>
      guard(openAIClient(mock), { budget: 1, label: `agent-${index}`, store }),
    );
    for (const agent of agents) {
      await ask(agent);
      await (agent.tokenfence as TokenFence).close();
      // Closing twice is harmless and does not give back another fence's share.
      await (agent.tokenfence as TokenFence).close();
    }
    await fence.run({ workflow: 'after-the-agents-closed' }, () => ask(fence.guard(openAIClient(mock))));
    await fence.close();
    expect(warnings).toEqual([]);
    const reader = openSqliteLedgerStore(file);
    expect(reader.queryCalls({})).toHaveLength(6);
    expect(reader.queryRuns({})).toHaveLength(1);
    reader.close();
  });

  it('a stream left with break, then close() at once: the record is written', async () => {
    mock.setScenario({ chunks: 40, chunkDelayMs: 5 });
    const file = ledgerFile();
    const fence = new TokenFence({ budget: 5, store: `sqlite:${file}` });
    const openai = fence.guard(openAIClient(mock));
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      messages: chatMessages,
      stream: true,
    });
    for await (const _chunk of stream) break;
    await fence.close();
    expect(warnings).toEqual([]);
    const reader = openSqliteLedgerStore(file);
    const [call] = reader.queryCalls({});
    expect(call?.costNanos).toBeGreaterThan(0);
    reader.close();
  });
});
