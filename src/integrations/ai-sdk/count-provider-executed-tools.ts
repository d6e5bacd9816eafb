import { asObject, parseJsonObject } from '../../providers/read-json.js';
import type { BilledTool } from './ai-sdk-server-tools.js';
import type { FeeUnits } from './ai-sdk-usage-extras.js';

/** OpenAI web search actions that read a page already found: only `search` actions bill a call. */
const NON_SEARCH_ACTIONS = new Set(['openPage', 'findInPage', 'open_page', 'find_in_page']);

interface Sighting {
  billed: BilledTool;
  container: string | undefined;
  search: boolean;
}

function containerOf(input: unknown): string | undefined {
  const fields = typeof input === 'string' ? parseJsonObject(input) : asObject(input);
  const id = fields?.containerId ?? fields?.container_id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Per-use fees of the provider-executed tools an answer shows as parts (`tool-call` with
 * `providerExecuted: true`, and `tool-result`, which a model only emits for tools it ran itself): OpenAI web
 * searches (search actions only), file searches, code interpreter containers (distinct `containerId`s),
 * and one Anthropic code execution session. Each call is counted once, by its `toolCallId`.
 */
export function countProviderExecutedTools(
  parts: readonly unknown[],
  byName: ReadonlyMap<string, BilledTool>,
): FeeUnits | undefined {
  if (byName.size === 0 || parts.length === 0) return undefined;
  const calls = new Map<string, Sighting>();
  parts.forEach((value, index) => {
    const part = asObject(value);
    const call = part?.type === 'tool-call';
    if (!part || (!call && part.type !== 'tool-result') || (call && part.providerExecuted !== true)) return;
    const billed = typeof part.toolName === 'string' ? byName.get(part.toolName) : undefined;
    if (!billed || billed.counting === 'usage' || billed.counting === 'grounding' || billed.counting === 'free') return;
    const id = typeof part.toolCallId === 'string' ? part.toolCallId : `#${index}`;
    const sighting = calls.get(id) ?? { billed, container: undefined, search: true };
    if (call) sighting.container ??= containerOf(part.input);
    else {
      const action = asObject(asObject(part.result)?.action)?.type;
      if (typeof action === 'string' && NON_SEARCH_ACTIONS.has(action)) sighting.search = false;
    }
    calls.set(id, sighting);
  });
  let fees: FeeUnits | undefined;
  const containers = new Set<string>();
  for (const [id, { billed, container, search }] of calls) {
    fees ??= {};
    if (billed.counting === 'containers') {
      containers.add(container ?? id);
      fees[billed.fee] = containers.size;
    } else if (billed.counting === 'session') fees[billed.fee] = 1;
    else if (billed.counting === 'calls' || search) fees[billed.fee] = (fees[billed.fee] ?? 0) + 1;
  }
  return fees;
}
