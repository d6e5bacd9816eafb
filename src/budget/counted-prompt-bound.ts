/**
 * The prompt bound a provider's token count stands for. The count is the provider's own figure for the
 * request as sent, yet the margin stays: Anthropic documents its count as an estimate that "may differ by a
 * small amount" from the billed input, and the guard rewrites the counted body before sending it (a
 * `max_uses` or `max_tool_calls` cap it injects is rendered into the tool definitions the model reads).
 */
export const COUNT_MARGIN_PERMILLE = 20;
export const COUNT_MARGIN_TOKENS = 64;

export function countedPromptBound(countedTokens: number): number {
  return countedTokens + Math.ceil((countedTokens * COUNT_MARGIN_PERMILLE) / 1000) + COUNT_MARGIN_TOKENS;
}
