import type { ServerToolRequest } from '../../budget/plan-call.js';
import type { FeeKind } from '../../core/usage.js';
import { asObject, positiveInteger } from '../read-json.js';

/**
 * Input tokens one web search adds to the billed prompt: its results (titles, URLs, encrypted page
 * content) are billed as input tokens, and are read again by every later sampling step of the same
 * request. An estimate, not a bound — the API caps neither: the web search tool doc's example answer
 * with one search bills 6,039 input tokens for a one-line question
 * (https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool), so ~10k per search leaves
 * room for longer result pages.
 */
export const WEB_SEARCH_TOKENS_PER_USE = 10_000;

/**
 * Input tokens one web fetch adds when the tool sets no `max_content_tokens`: the API applies no documented
 * limit, and the web fetch tool doc sizes a research-paper PDF (500 KB) at ~125,000 tokens
 * (https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-fetch-tool, "Usage"; recalled, not
 * re-read this session). A set `max_content_tokens` is approximate, so it is padded by a tenth.
 */
export const WEB_FETCH_DEFAULT_TOKENS_PER_USE = 125_000;

/**
 * Input tokens the code execution tool's output can add (stdout, stderr, file listings fed back to the
 * model). The API neither caps nor reports them apart: an estimate.
 */
export const CODE_EXECUTION_TOKENS_PER_USE = 20_000;

/** The server tool families that bill per use or add tokens per use, by the prefix of their versioned `type`. */
const TOOL_PREFIXES: ReadonlyArray<readonly [prefix: string, fee: FeeKind]> = [
  ['web_search_', 'webSearch'],
  ['web_fetch_', 'webFetch'],
  ['code_execution_', 'codeExecution'],
];

/** The fee kind of a `tools` entry, when it is one of the server tools above (`web_search_20250305` …). */
export function serverToolFee(tool: Record<string, unknown>): FeeKind | undefined {
  const type = tool.type;
  if (typeof type !== 'string') return undefined;
  for (const [prefix, fee] of TOOL_PREFIXES) if (type.startsWith(prefix)) return fee;
  return undefined;
}

/** Input tokens one web fetch adds, for the tool's `max_content_tokens` (undefined when it sets none). */
export function webFetchTokens(maxContentTokens: number | undefined): number {
  return maxContentTokens === undefined ? WEB_FETCH_DEFAULT_TOKENS_PER_USE : Math.ceil(maxContentTokens * 1.1);
}

/** Web search and web fetch from this version on filter their results by running code (dynamic filtering). */
const DYNAMIC_FILTERING_SINCE = '20260209';

function filtersWithCode(tool: Record<string, unknown>): boolean {
  const version = /_(\d{8})$/.exec(String(tool.type))?.[1];
  return version !== undefined && version >= DYNAMIC_FILTERING_SINCE;
}

/**
 * The per-use server tools of a request's `tools`, with their caps. Code execution has no `max_uses`: it
 * is billed per container hour, and a request that can run code — the code execution tool, or a web tool
 * that filters with code — is reserved one whole hour (fixed), since the response reports no duration
 * and one request cannot run longer. (Anthropic does not bill the code run alongside a dynamic-filtering
 * web tool; the adapter cannot see the request when it reads the response, so it still charges it.)
 */
export function serverToolsOf(tools: readonly unknown[]): ServerToolRequest[] | undefined {
  let found: ServerToolRequest[] | undefined;
  let runsCode = false;
  for (const entry of tools) {
    const tool = asObject(entry);
    const fee = tool && serverToolFee(tool);
    if (!tool || !fee) continue;
    if (fee === 'codeExecution') {
      runsCode = true;
      continue;
    }
    runsCode ||= filtersWithCode(tool);
    const maxUses = positiveInteger(tool.max_uses);
    const inputTokensPerUse =
      fee === 'webFetch' ? webFetchTokens(positiveInteger(tool.max_content_tokens)) : WEB_SEARCH_TOKENS_PER_USE;
    found ??= [];
    // Every use is another step of the server-side loop, which reads the prompt and earlier results again.
    found.push({ fee, maxUses, inputTokensPerUse, rereadsPrompt: true });
  }
  if (runsCode) {
    found ??= [];
    found.push({
      fee: 'codeExecution',
      maxUses: 1,
      fixed: true,
      inputTokensPerUse: CODE_EXECUTION_TOKENS_PER_USE,
      rereadsPrompt: true,
    });
  }
  return found;
}

/** `tools` with `max_uses` set on every server tool of a capped kind that has none; entries are copied, never mutated. */
export function withToolCaps(tools: readonly unknown[], caps: Readonly<Partial<Record<FeeKind, number>>>): unknown[] {
  return tools.map((entry) => {
    const tool = asObject(entry);
    const fee = tool && serverToolFee(tool);
    const cap = fee && fee !== 'codeExecution' ? caps[fee] : undefined;
    if (!tool || cap === undefined || positiveInteger(tool.max_uses) !== undefined) return entry;
    return { ...tool, max_uses: cap };
  });
}
