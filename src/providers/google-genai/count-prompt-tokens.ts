import { promptTokenBound } from '../../tokens/estimate-prompt-tokens.js';
import { plausibleCount } from '../prompt-counter.js';
import type { RequestParams } from '../provider-adapter.js';
import { asObject } from '../read-json.js';
import { describeGeminiRequest } from './describe-gemini-request.js';

interface CountingClient {
  vertexai?: unknown;
  models?: { countTokens?: (params: Record<string, unknown>) => Promise<unknown> };
}

/** Request fields that add to the prompt which the SDK's `countTokens` cannot pass on the Gemini API. */
const NOT_COUNTED_ON_GEMINI_API = ['systemInstruction', 'tools', 'toolConfig', 'responseSchema', 'responseJsonSchema'];
/** On Vertex AI the SDK passes the system instruction and tools to `countTokens` too. */
const NOT_COUNTED_ON_VERTEX = ['toolConfig', 'responseSchema', 'responseJsonSchema'];

/**
 * Gemini's free token count, `models.countTokens` of the caller's own client (its key or Vertex credentials,
 * its base URL) → `{ totalTokens }`. The SDK sends only `contents` on the Gemini API (and the system
 * instruction and tools on Vertex AI): what it cannot send is added as its provable byte bound, so the
 * result still covers the whole prompt. Not counted (undefined) when the count could miss part of what is
 * billed: a cached-content reference, or a `mediaResolution` the count would not apply.
 */
export async function countGeminiPromptTokens(
  client: object,
  params: RequestParams,
  signal: AbortSignal,
): Promise<number | undefined> {
  const sdk = client as CountingClient;
  const config = asObject(params.config) ?? {};
  const countTokens = sdk.models?.countTokens;
  if (typeof countTokens !== 'function' || typeof params.model !== 'string') return undefined;
  if (config.cachedContent != null || config.mediaResolution != null) return undefined;
  const vertex = sdk.vertexai === true;
  const countConfig: Record<string, unknown> = { abortSignal: signal };
  if (vertex && config.systemInstruction != null) countConfig.systemInstruction = config.systemInstruction;
  if (vertex && config.tools != null) countConfig.tools = config.tools;
  const rest = uncountedBound(params, config, vertex ? NOT_COUNTED_ON_VERTEX : NOT_COUNTED_ON_GEMINI_API);
  if (rest === undefined) return undefined;
  const answer = await countTokens.call(sdk.models, {
    model: params.model,
    contents: params.contents,
    config: countConfig,
  });
  const counted = plausibleCount(asObject(answer)?.totalTokens);
  return counted === undefined ? undefined : counted + rest;
}

/** The byte bound of the request's parts the count does not see; undefined when one of them carries media. */
function uncountedBound(params: RequestParams, config: Record<string, unknown>, fields: readonly string[]) {
  const rest: Record<string, unknown> = {};
  let any = false;
  for (const field of fields) {
    if (config[field] == null) continue;
    rest[field] = config[field];
    any = true;
  }
  if (!any) return 0;
  const described = describeGeminiRequest({ model: params.model, contents: [], config: rest });
  if (!described || described.prompt.attachments > 0 || described.prompt.media.length > 0) return undefined;
  return promptTokenBound(described.prompt, 0);
}
