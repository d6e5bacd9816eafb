import { nanosToUsd } from '../core/money.js';
import type { FeeKind } from '../core/usage.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import type { KillSwitchError } from '../errors/kill-switch-error.js';
import { UnknownModelError } from '../errors/unknown-model-error.js';
import { affordableOutputTokens, type CacheWriteTtl, estimateWorstCase } from '../pricing/estimate-worst-case.js';
import type { ModelRates } from '../pricing/model-rates.js';
import { modelMaxInputTokens } from '../pricing/model-token-limits.js';
import type { PriceSource } from '../pricing/price-source.js';
import { type AttachmentProvider, attachmentTokenBound } from '../tokens/attachments/attachment-token-bound.js';
import { encodingForModel } from '../tokens/count-tokens.js';
import { type PromptShape, promptTokenBound, promptTokenCount } from '../tokens/estimate-prompt-tokens.js';
import type { BudgetNode } from './budget-node.js';
import type { Reservation } from './reservation.js';
import type { ScopeSet } from './scope-set.js';

/** What the planner needs to know of a request; provider adapters fill it from the SDK parameters. */
export interface CallRequest {
  provider: string;
  model: string;
  /** The output cap the request sets, if any. */
  outputCap: number | undefined;
  /** Choices generated (`n`); multiplies the output cap. */
  choices: number;
  /** False for endpoints that only read input (embeddings). */
  producesOutput: boolean;
  prompt: PromptShape;
  /** The longest cache TTL the request writes with. */
  cacheWrite: CacheWriteTtl | undefined;
  /** `exact`: OpenAI encodings, counted exactly near the budget edge; `estimated`: an o200k-based estimate. */
  tokenizer: 'exact' | 'estimated';
  /** The provider adds context the request does not carry (e.g. `previous_response_id`). */
  hiddenContext: boolean;
  /** Service tiers and modes the request asks for ('priority', 'flex', 'fast', …); absent: the standard tier. */
  tiers?: readonly string[] | undefined;
  /** Server-side tools the request enables that bill per use (web search, code execution, grounding). */
  serverTools?: readonly ServerToolRequest[] | undefined;
  /**
   * The same tools as they bill on another model, where that depends on the model (Gemini grounding: once
   * per prompt on 2.x, per query on 3+): a downgrade is reserved at the model it sends to.
   */
  serverToolsOn?: ((model: string) => readonly ServerToolRequest[] | undefined) | undefined;
}

/** A provider-side tool of a request that bills per use, and what each use can add to the prompt. */
export interface ServerToolRequest {
  fee: FeeKind;
  /** The request's own cap on uses (`max_uses`, `max_tool_calls`); undefined: uncapped, the guard injects one. */
  maxUses: number | undefined;
  /** The cap cannot be set on the request (e.g. one grounding fee per prompt): `maxUses` is fixed. */
  fixed?: boolean | undefined;
  /** Input tokens one use can add to the billed prompt (search results, fetched pages). */
  inputTokensPerUse: number;
  /**
   * Each use starts another step of a server-side loop that bills the whole context again: the prompt and
   * every earlier use's results. N uses then add N × prompt + perUse × N(N+1)/2 input tokens, no step more
   * than the context window.
   */
  rereadsPrompt?: boolean | undefined;
}

export interface CallPolicy {
  /** Cheaper models to use, in order, from the threshold on or when the asked model does not fit. */
  fallbacks: readonly string[];
  prices: PriceSource;
  /** Admit even when the budget refuses (`onLimit: 'warn'`). */
  overspend: boolean;
}

export interface AdmittedCall {
  admitted: true;
  model: string;
  rates: ModelRates;
  reservation: Reservation;
  /** The output cap to send when it differs from the request's. */
  outputCap: number | undefined;
  /** Caps on per-use tools to send, when the request set none. */
  toolCaps?: Readonly<Partial<Record<FeeKind, number>>> | undefined;
  /** Set when the call was let through over budget (`onLimit: 'warn'`). */
  overBudget: BudgetExceededError | undefined;
  /** No price is known and no scope has a budget: sent for tracking, recorded with cost unknown (`rates` are zero). */
  unpriced?: true;
}

export interface DeniedCall {
  admitted: false;
  error: BudgetExceededError | KillSwitchError;
  model: string;
  /**
   * Set (when the caller can count) instead of a downgrade, clamp or refusal: the asked model's prompt bound
   * did not fit and the provider's exact count could change that. Nothing is held and no event was emitted.
   */
  countFirst?: { boundTokens: number } | undefined;
}

/** What the caller can say of the prompt's exact size on the asked model. */
export type PromptCount =
  /** Nothing: plan on the local bound, as when no count is possible. */
  | undefined
  /** A count is possible: stop with `countFirst` where it could change the decision. */
  | 'can-count'
  /** The provider's count, margin included: the asked model's prompt bound. */
  | { promptTokens: number };

/** Output cap injected when a model's maximum output is unknown and the request sets none. */
export const DEFAULT_OUTPUT_CAP = 4_096;
/** A clamp below this many output tokens is not worth sending; the call is refused instead. */
export const MIN_CLAMPED_OUTPUT_TOKENS = 16;
/** Uses injected for a per-use tool the request left uncapped; cut to 1 when that does not fit. */
export const DEFAULT_TOOL_USE_CAP = 10;
/** Context assumed for server-side history when the model's context window is unknown. */
const DEFAULT_CONTEXT_WINDOW = 200_000;
/** Claude and other non-OpenAI tokenizers emit up to this many tokens per o200k token (CJK, PRICING.md §7.3). */
const ESTIMATED_TOKENIZER_FACTOR = 1.5;

/**
 * The most input tokens the prompt's attachments can cost on `model`; undefined when one of them cannot be
 * bounded from what the request carries (a URL, a file id, unreadable bytes).
 */
export function mediaTokenBound(provider: string, prompt: PromptShape, model: string): number | undefined {
  if (prompt.attachments > 0) return undefined;
  let total = 0;
  for (const part of prompt.media) {
    const bound = attachmentTokenBound(attachmentProvider(provider), model, part.info, part.options);
    if (bound.tokens === undefined) return undefined;
    total += bound.tokens;
  }
  return total;
}

/** Attachment token rules by wire format: OpenAI-compatible services bill images as OpenAI does. */
function attachmentProvider(provider: string): AttachmentProvider {
  if (provider === 'anthropic' || provider === 'google') return provider;
  return 'openai';
}

/** The whole context window: the most a prompt that cannot be sized from the request can bill. */
function contextWindow(model: string): number {
  return modelMaxInputTokens(model) ?? DEFAULT_CONTEXT_WINDOW;
}

function inputBound(request: CallRequest, model: string): number {
  if (request.hiddenContext) return contextWindow(model);
  const media = mediaTokenBound(request.provider, request.prompt, model);
  if (media === undefined) return contextWindow(model);
  return promptTokenBound(request.prompt, media);
}

function refinedInput(request: CallRequest, model: string, bound: number): number {
  if (request.hiddenContext) return bound;
  const media = mediaTokenBound(request.provider, request.prompt, model);
  if (media === undefined) return bound;
  if (request.tokenizer === 'exact') return promptTokenCount(request.prompt, encodingForModel(model), media);
  const o200k = promptTokenCount(request.prompt, 'o200k_base', 0);
  return Math.min(bound, Math.ceil(o200k * ESTIMATED_TOKENIZER_FACTOR) + media);
}

function admitted(
  scope: ScopeSet,
  request: CallRequest,
  model: string,
  reason: 'threshold' | 'budget',
  rates: ModelRates,
  reservation: Reservation,
  outputCap: number | undefined,
  toolCaps: ToolCaps | undefined,
): AdmittedCall {
  if (model !== request.model) scope.emit({ type: 'model-downgraded', from: request.model, to: model, reason });
  if (toolCaps) {
    for (const [fee, cappedTo] of Object.entries(toolCaps) as Array<[FeeKind, number]>) {
      scope.emit({ type: 'server-tools-capped', model, fee, cappedTo });
    }
  }
  return { admitted: true, model, rates, reservation, outputCap, toolCaps, overBudget: undefined };
}

type ToolCaps = Partial<Record<FeeKind, number>>;

/** Rates of a model without a price: nothing is held, and the settlement records the cost as unknown. */
function unpricedRates(provider: string, model: string): ModelRates {
  const zero = { input: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, output: 0 };
  return { model, provider, base: zero, tiers: [], origin: 'unknown', maxOutputTokens: undefined };
}

/** Admits a call to an unpriced model in a tree without budgets: a zero hold (the kill switch still applies). */
function admittedUnpriced(scope: ScopeSet, request: CallRequest): AdmittedCall | DeniedCall {
  const attempt = scope.admit(0);
  if (!attempt.admitted) {
    if (attempt.killed) return { admitted: false, error: attempt.killed, model: request.model };
    throw new UnknownModelError(request.model, request.provider);
  }
  scope.emit({ type: 'model-unpriced', provider: request.provider, model: request.model });
  return {
    admitted: true,
    model: request.model,
    rates: unpricedRates(request.provider, request.model),
    reservation: attempt.reservation,
    outputCap: undefined,
    overBudget: undefined,
    unpriced: true,
  };
}

interface ToolBounds {
  feeUses: ToolCaps | undefined;
  inputTokens: number;
  caps: ToolCaps | undefined;
}

const NO_TOOLS: ToolBounds = Object.freeze({ feeUses: undefined, inputTokens: 0, caps: undefined });

/**
 * What the request's per-use tools can add at most, with `injected` uses for each uncapped one, next to a
 * prompt of `promptTokens` on a model reading at most `contextTokens` per step.
 */
function toolBounds(
  tools: readonly ServerToolRequest[],
  injected: number,
  promptTokens: number,
  contextTokens: number,
): ToolBounds {
  if (tools.length === 0) return NO_TOOLS;
  const feeUses: ToolCaps = {};
  let inputTokens = 0;
  let caps: ToolCaps | undefined;
  for (const tool of tools) {
    const uses = tool.maxUses ?? injected;
    if (tool.maxUses === undefined) {
      caps ??= {};
      caps[tool.fee] = injected;
    }
    feeUses[tool.fee] = (feeUses[tool.fee] ?? 0) + uses;
    const added = tool.rereadsPrompt
      ? uses * promptTokens + Math.ceil((tool.inputTokensPerUse * uses * (uses + 1)) / 2)
      : uses * tool.inputTokensPerUse;
    inputTokens += tool.rereadsPrompt ? Math.min(added, uses * contextTokens) : added;
  }
  return { feeUses, inputTokens, caps };
}

/** The refusal of a call whose worst case (`requestedNanos`) did not fit `deniedBy`, with that scope's numbers. */
export function budgetExceededAt(deniedBy: BudgetNode, requestedNanos: number, model: string): BudgetExceededError {
  return new BudgetExceededError({
    label: deniedBy.label,
    budget: nanosToUsd(deniedBy.limitNanos ?? 0),
    spent: nanosToUsd(deniedBy.spentNanos),
    reserved: nanosToUsd(deniedBy.heldNanos),
    requested: nanosToUsd(requestedNanos),
    model,
  });
}

/** The local prompt bound is already the provider's count: OpenAI encodings, nothing hidden, no attachments. */
function promptIsExact(request: CallRequest): boolean {
  return (
    request.tokenizer === 'exact' &&
    !request.hiddenContext &&
    request.prompt.attachments === 0 &&
    request.prompt.media.length === 0
  );
}

/**
 * True when an exact prompt count could admit the asked model: its bound is loose, and the call would fit
 * with an empty prompt at its smallest admissible form (the request's own output cap, else the smallest
 * clamp; uncapped tools at one use).
 */
function countCouldHelp(
  scope: ScopeSet,
  request: CallRequest,
  rates: ModelRates,
  tools: readonly ServerToolRequest[],
  window: number,
  bounds: (cap: number) => Parameters<typeof estimateWorstCase>[1],
): boolean {
  if (promptIsExact(request)) return false;
  const smallestCap = request.producesOutput ? (request.outputCap ?? MIN_CLAMPED_OUTPUT_TOKENS) : 0;
  const fewestUses = toolBounds(tools, 1, 0, window);
  const emptyPrompt = { ...bounds(smallestCap), inputTokens: fewestUses.inputTokens, feeUses: fewestUses.feeUses };
  return estimateWorstCase(rates, emptyPrompt) <= scope.effectiveHeadroomNanos;
}

/**
 * Chooses the model and output cap for a call and reserves its worst case on every enclosing scope.
 * For each candidate model (the asked one, then fallbacks; fallbacks only once past the threshold):
 * a cheap provable bound first, an exact count only when the bound does not fit, and — when the
 * request set no output cap — a clamp of the cap to what the budget can still pay for. `count`: with
 * `'can-count'`, a loose bound of the asked model that does not fit stops the plan (`countFirst`, nothing
 * held) before any cut, clamp or fallback, so the caller can ask the provider; `{ promptTokens }` is then
 * the asked model's prompt bound from that count (fallbacks keep their own bound: their tokenizer may differ).
 */
export function planCall(
  scope: ScopeSet,
  request: CallRequest,
  policy: CallPolicy,
  at: Date,
  count: PromptCount = undefined,
): AdmittedCall | DeniedCall {
  const killed = scope.kill;
  if (killed) return { admitted: false, error: killed, model: request.model };
  const pastThreshold = policy.fallbacks.length > 0 && scope.pastThreshold;
  const candidates = pastThreshold ? policy.fallbacks : [request.model, ...policy.fallbacks];
  let firstDenial:
    | { deniedBy: BudgetNode; requestedNanos: number; rates: ModelRates; model: string; toolCaps: ToolCaps | undefined }
    | undefined;

  for (const model of candidates) {
    const tools = (model !== request.model && request.serverToolsOn?.(model)) || request.serverTools || [];
    const uncappedTools = tools.some((tool) => tool.maxUses === undefined);
    const rates = policy.prices.resolve(request.provider, model, at);
    if (!rates) {
      // Nothing to protect: a tree without any budget only tracks, so the call goes out with its cost unknown.
      if (model === request.model && !scope.nodes.some((node) => node.limitNanos !== null)) {
        return admittedUnpriced(scope, request);
      }
      throw new UnknownModelError(model, request.provider);
    }
    const reason = pastThreshold ? 'threshold' : 'budget';
    const counted = typeof count === 'object' && model === request.model ? count.promptTokens : undefined;
    const window = contextWindow(model);
    // A model whose maximum output is unknown is reserved for a whole context window of output (no model
    // answers more than it can hold), and the request goes as written; only when that does not fit is the
    // default cap injected (and clamped below, as for any uncapped request).
    const uncappedUnknown =
      request.producesOutput && request.outputCap === undefined && rates.maxOutputTokens === undefined;
    const defaultCap = rates.maxOutputTokens ?? DEFAULT_OUTPUT_CAP;
    let outputCap = request.producesOutput ? (request.outputCap ?? (uncappedUnknown ? window : defaultCap)) : 0;
    let injectedCap = false;
    let inputTokens = counted ?? inputBound(request, model);
    let toolUses = toolBounds(tools, DEFAULT_TOOL_USE_CAP, inputTokens, window);
    const bounds = (cap: number) => ({
      inputTokens: inputTokens + toolUses.inputTokens,
      outputTokens: cap * request.choices,
      cacheWrite: request.cacheWrite,
      media: request.prompt.attachments > 0 || request.prompt.media.length > 0,
      tiers: request.tiers,
      feeUses: toolUses.feeUses,
    });
    const worstCase = (cap: number) => estimateWorstCase(rates, bounds(cap));

    let attempt = scope.admit(worstCase(outputCap));
    if (!attempt.admitted && !attempt.killed && uncappedUnknown) {
      outputCap = DEFAULT_OUTPUT_CAP;
      injectedCap = true;
      attempt = scope.admit(worstCase(outputCap));
    }
    if (!attempt.admitted && !attempt.killed && counted === undefined) {
      inputTokens = refinedInput(request, model, inputTokens);
      toolUses = toolBounds(tools, DEFAULT_TOOL_USE_CAP, inputTokens, window);
      attempt = scope.admit(worstCase(outputCap));
    }
    if (
      !attempt.admitted &&
      !attempt.killed &&
      count === 'can-count' &&
      model === request.model &&
      countCouldHelp(scope, request, rates, tools, window, bounds)
    ) {
      const error = budgetExceededAt(attempt.deniedBy, worstCase(outputCap), model);
      return { admitted: false, error, model, countFirst: { boundTokens: inputTokens } };
    }
    if (!attempt.admitted && !attempt.killed && uncappedTools) {
      toolUses = toolBounds(tools, 1, inputTokens, window);
      attempt = scope.admit(worstCase(outputCap));
    }
    if (attempt.admitted) {
      if (injectedCap) scope.emit({ type: 'max-tokens-clamped', model, requested: undefined, clampedTo: outputCap });
      return admitted(
        scope,
        request,
        model,
        reason,
        rates,
        attempt.reservation,
        injectedCap ? outputCap : undefined,
        toolUses.caps,
      );
    }
    if (attempt.killed) return { admitted: false, error: attempt.killed, model };
    firstDenial ??= {
      deniedBy: attempt.deniedBy,
      requestedNanos: worstCase(outputCap),
      rates,
      model,
      toolCaps: toolUses.caps,
    };

    if (request.producesOutput && request.outputCap === undefined) {
      const affordable = Math.floor(
        affordableOutputTokens(rates, bounds(0), scope.effectiveHeadroomNanos) / request.choices,
      );
      const clamped = Math.min(affordable, outputCap);
      if (clamped >= MIN_CLAMPED_OUTPUT_TOKENS) {
        const clampAttempt = scope.admit(worstCase(clamped));
        if (clampAttempt.admitted) {
          scope.emit({ type: 'max-tokens-clamped', model, requested: undefined, clampedTo: clamped });
          return admitted(scope, request, model, reason, rates, clampAttempt.reservation, clamped, toolUses.caps);
        }
      }
    }
  }

  const denial = firstDenial as NonNullable<typeof firstDenial>;
  const error = budgetExceededAt(denial.deniedBy, denial.requestedNanos, denial.model);
  if (!policy.overspend) return { admitted: false, error, model: denial.model };
  const forced = scope.admit(denial.requestedNanos, true);
  if (!forced.admitted) return { admitted: false, error: forced.killed ?? error, model: denial.model };
  return {
    admitted: true,
    model: denial.model,
    rates: denial.rates,
    reservation: forced.reservation,
    outputCap: undefined,
    // The hold was sized with these caps: the request must carry them, over budget or not.
    toolCaps: denial.toolCaps,
    overBudget: error,
  };
}
