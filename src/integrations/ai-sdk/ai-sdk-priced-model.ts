/** AI SDK provider names whose price-dataset id differs from the name. */
const ALIASES: Readonly<Record<string, string>> = {
  xai: 'x-ai',
  togetherai: 'together',
  'amazon-bedrock': 'aws',
  bedrock: 'aws',
  vertex: 'google',
  'google-vertex': 'google',
};

/**
 * Whose prices apply to an AI SDK model, and under which model id, from its `provider` and `modelId`:
 * `openai.chat` / `openai.responses` → `openai`, `anthropic.messages` → `anthropic`,
 * `google.generative-ai` → `google`, `xai.chat` → `x-ai`, `<name>.chat` (`@ai-sdk/openai-compatible`)
 * → `<name>`. Claude served through another cloud (`vertex.anthropic.messages`) is priced at Anthropic's
 * list prices; the AI Gateway's `creator/model` ids at the creator's.
 */
export function aiSdkPricedModel(modelProvider: string, modelId: string): { provider: string; model: string } {
  const id = modelProvider.trim().toLowerCase();
  if (/(^|\.)anthropic(\.|$)/.test(id)) return { provider: 'anthropic', model: modelId };
  const head = id.split('.')[0] ?? id;
  const slash = modelId.indexOf('/');
  if (head === 'gateway' && slash > 0) {
    return aiSdkPricedModel(modelId.slice(0, slash), modelId.slice(slash + 1));
  }
  return { provider: ALIASES[head] ?? head, model: modelId };
}
