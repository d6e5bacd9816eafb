import type { ServerToolRequest } from '../../budget/plan-call.js';
import type { FeeKind } from '../../core/usage.js';
import {
  CODE_EXECUTION_TOKENS_PER_USE,
  WEB_SEARCH_TOKENS_PER_USE,
  webFetchTokens,
} from '../../providers/anthropic/anthropic-server-tools.js';
import { GEMINI_QUERIES_PER_REQUEST } from '../../providers/google-genai/describe-gemini-request.js';
import { billsGroundingPerQuery } from '../../providers/google-genai/gemini-grounding-tally.js';
import { asObject, positiveInteger } from '../../providers/read-json.js';

/**
 * How a billed use of a provider-executed tool shows in the model's answer:
 * `usage` — counted by the provider in its raw usage (Anthropic `server_tool_use`);
 * `calls` — one per provider-executed call part; `searches` — calls, less OpenAI's `openPage` / `findInPage`
 * actions (only search actions bill); `containers` — distinct containers of the calls (OpenAI sessions);
 * `session` — one unit when the tool ran at all (Anthropic code execution: no count in the response);
 * `grounding` — from Gemini's `groundingMetadata`; `free` — tokens only, no fee.
 */
export type ToolCounting = 'usage' | 'calls' | 'searches' | 'containers' | 'session' | 'grounding' | 'free';

/** How the request's cap on uses is set: `maxUses` in the tool's args, OpenAI's `maxToolCalls`, or not at all. */
type ToolCap = 'maxUses' | 'maxToolCalls' | 'none';

interface ServerToolKind {
  fee: FeeKind;
  cap: ToolCap;
  counting: ToolCounting;
  /** Uses assumed when the cap cannot be set on the request (`cap: 'none'`). */
  fixedUses: (model: string) => number;
  /** Input tokens one use can add to the billed prompt — estimates, see the table below. */
  inputTokensPerUse: (args: Record<string, unknown>) => number;
  /** A step of a server-side loop that reads the prompt and earlier results again (Anthropic's server tools). */
  rereadsPrompt?: true;
}

/** Gemini 3 runs an uncappable number of queries: the Gemini adapter's documented bound. */
const geminiGroundingUses = (model: string) => (billsGroundingPerQuery(model) ? GEMINI_QUERIES_PER_REQUEST : 1);
const one = () => 1;
const tokens = (count: number) => () => count;

/*
 * Prompt tokens per use are estimates of what one use feeds back into the billed prompt:
 * - OpenAI web search: mini models bill a fixed 8,000-token block per call (extra-rates note); the others bill
 *   the search content, of the same order — 8,000.
 * - OpenAI file search: `maxNumResults` chunks (default 10, up to 50) of at most ~800 tokens each.
 * - Code execution (both): the code's output echoed back, a few thousand tokens — 4,000.
 * - Anthropic web search, web fetch and code execution: the Anthropic adapter's own estimates, and like it a
 *   step of the server-side loop that reads the prompt and earlier results again.
 * - Gemini grounding: search results go into `toolUsePromptTokenCount`, ~2,000 tokens per query.
 */
const KINDS: ReadonlyArray<[RegExp, ServerToolKind]> = [
  [
    /^openai\.web_search(?:_preview)?$/,
    { fee: 'webSearch', cap: 'maxToolCalls', counting: 'searches', fixedUses: one, inputTokensPerUse: tokens(8_000) },
  ],
  [
    /^openai\.file_search$/,
    {
      fee: 'fileSearch',
      cap: 'maxToolCalls',
      counting: 'calls',
      fixedUses: one,
      inputTokensPerUse: (args) => (positiveInteger(args.maxNumResults) ?? 10) * 800,
    },
  ],
  [
    // One container session per response is reserved: `max_tool_calls` caps the calls, not the sessions.
    /^openai\.code_interpreter$/,
    { fee: 'codeExecution', cap: 'none', counting: 'containers', fixedUses: one, inputTokensPerUse: tokens(4_000) },
  ],
  [
    /^anthropic\.web_search_\d+$/,
    {
      fee: 'webSearch',
      cap: 'maxUses',
      counting: 'usage',
      fixedUses: one,
      inputTokensPerUse: tokens(WEB_SEARCH_TOKENS_PER_USE),
      rereadsPrompt: true,
    },
  ],
  [
    /^anthropic\.web_fetch_\d+$/,
    {
      fee: 'webFetch',
      cap: 'maxUses',
      counting: 'free',
      fixedUses: one,
      inputTokensPerUse: (args) => webFetchTokens(positiveInteger(args.maxContentTokens)),
      rereadsPrompt: true,
    },
  ],
  [
    // Container time is billed by the hour (5-minute minimum) and never reported: one hour per request.
    /^anthropic\.code_execution_\d+$/,
    {
      fee: 'codeExecution',
      cap: 'none',
      counting: 'session',
      fixedUses: one,
      inputTokensPerUse: tokens(CODE_EXECUTION_TOKENS_PER_USE),
      rereadsPrompt: true,
    },
  ],
  [
    /^google\.google_search$/,
    {
      fee: 'googleSearch',
      cap: 'none',
      counting: 'grounding',
      fixedUses: geminiGroundingUses,
      inputTokensPerUse: tokens(2_000),
    },
  ],
  [
    /^google\.google_maps$/,
    {
      fee: 'googleMaps',
      cap: 'none',
      counting: 'grounding',
      fixedUses: geminiGroundingUses,
      inputTokensPerUse: tokens(2_000),
    },
  ],
];

function kindOf(id: string): ServerToolKind | undefined {
  for (const [pattern, kind] of KINDS) if (pattern.test(id)) return kind;
  return undefined;
}

/** A billed provider tool of the request, as its answer's parts name it. */
export interface BilledTool {
  fee: FeeKind;
  counting: ToolCounting;
}

export interface AiSdkServerTools {
  /** What the planner reserves for; empty when the request has no billed provider tool. */
  requests: ServerToolRequest[];
  /**
   * Tool name → fee, for counting the answer's provider-executed parts. Both the name the request gave the
   * tool and the provider's own (`web_search`, `file_search`): `@ai-sdk/openai` 2 names some parts by the latter.
   */
  byName: Map<string, BilledTool>;
}

export const NO_SERVER_TOOLS: Readonly<AiSdkServerTools> = Object.freeze({
  requests: [],
  byName: new Map<string, BilledTool>(),
});

/** A provider tool of the call options: `type: 'provider'` (V3) or `'provider-defined'` (V2). */
export function providerToolOf(
  value: unknown,
): { id: string; name: string | undefined; args: Record<string, unknown> } | undefined {
  const tool = asObject(value);
  if (!tool || (tool.type !== 'provider' && tool.type !== 'provider-defined') || typeof tool.id !== 'string') {
    return undefined;
  }
  return {
    id: tool.id,
    name: typeof tool.name === 'string' ? tool.name : undefined,
    args: asObject(tool.args) ?? {},
  };
}

/** The OpenAI `maxToolCalls` the request sets: it bounds the uses of every OpenAI built-in tool. */
function openAIMaxToolCalls(providerOptions: unknown): number | undefined {
  return positiveInteger(asObject(asObject(providerOptions)?.openai)?.maxToolCalls);
}

/** The billed provider-executed tools of a call (`params.tools`), with the caps the request sets on them. */
export function describeServerTools(
  tools: readonly unknown[],
  providerOptions: unknown,
  model: string,
): AiSdkServerTools {
  let found: AiSdkServerTools | undefined;
  for (const value of tools) {
    const tool = providerToolOf(value);
    const kind = tool && kindOf(tool.id);
    if (!tool || !kind) continue;
    found ??= { requests: [], byName: new Map() };
    const maxUses =
      kind.cap === 'maxUses'
        ? positiveInteger(tool.args.maxUses)
        : kind.cap === 'maxToolCalls'
          ? openAIMaxToolCalls(providerOptions)
          : kind.fixedUses(model);
    found.requests.push({
      fee: kind.fee,
      maxUses,
      ...(kind.cap === 'none' && { fixed: true }),
      inputTokensPerUse: kind.inputTokensPerUse(tool.args),
      ...(kind.rereadsPrompt && { rereadsPrompt: true }),
    });
    const billed: BilledTool = { fee: kind.fee, counting: kind.counting };
    if (tool.name !== undefined) found.byName.set(tool.name, billed);
    found.byName.set(tool.id.slice(tool.id.indexOf('.') + 1).replace(/_\d+$/, ''), billed);
  }
  return found ?? NO_SERVER_TOOLS;
}
