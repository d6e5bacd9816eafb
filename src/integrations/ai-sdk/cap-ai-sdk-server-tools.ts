import type { FeeKind } from '../../core/usage.js';
import type { RequestChanges } from '../../providers/provider-adapter.js';
import { asObject } from '../../providers/read-json.js';
import { providerToolOf } from './ai-sdk-server-tools.js';

/** OpenAI built-in tools whose calls `maxToolCalls` counts, by the fee they bill. */
const OPENAI_CAPPED_FEES: readonly FeeKind[] = ['webSearch', 'fileSearch'];
const OPENAI_TOOL = /^openai\./;
const ANTHROPIC_FEES: Readonly<Record<string, FeeKind>> = { web_search: 'webSearch', web_fetch: 'webFetch' };
const ANTHROPIC_TOOL = /^anthropic\.(web_search|web_fetch)_\d+$/;

export interface CappedTools {
  tools?: readonly unknown[];
  providerOptions?: Record<string, unknown>;
}

/**
 * The planner's caps on uncapped per-use tools, written into the call options without touching the given
 * ones: `args.maxUses` on each Anthropic web search / web fetch tool (`max_uses` on the wire), and OpenAI's
 * `providerOptions.openai.maxToolCalls` (`max_tool_calls`, one cap on every built-in tool's calls: the
 * smallest cap given). Only what changes is returned.
 */
export function capAiSdkServerTools(
  tools: unknown,
  providerOptions: unknown,
  caps: RequestChanges['toolCaps'],
): CappedTools {
  if (!caps || !Array.isArray(tools)) return {};
  const changed: CappedTools = {};
  let openAITools = false;
  const capped = tools.map((value: unknown) => {
    const tool = providerToolOf(value);
    if (!tool) return value;
    if (OPENAI_TOOL.test(tool.id)) openAITools = true;
    const anthropic = ANTHROPIC_TOOL.exec(tool.id);
    const fee = anthropic?.[1] === undefined ? undefined : ANTHROPIC_FEES[anthropic[1]];
    const cap = fee === undefined ? undefined : caps[fee];
    if (cap === undefined || tool.args.maxUses !== undefined) return value;
    return { ...(value as object), args: { ...tool.args, maxUses: cap } };
  });
  if (capped.some((tool, index) => tool !== tools[index])) changed.tools = capped;
  const openAICaps = OPENAI_CAPPED_FEES.map((fee) => caps[fee]).filter((cap) => cap !== undefined);
  const options = asObject(providerOptions) ?? {};
  const openai = asObject(options.openai) ?? {};
  if (openAITools && openAICaps.length > 0 && openai.maxToolCalls == null) {
    changed.providerOptions = { ...options, openai: { ...openai, maxToolCalls: Math.min(...openAICaps) } };
  }
  return changed;
}
