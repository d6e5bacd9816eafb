import { type ModalityBuckets, tokenCount } from '../../core/usage.js';
import { asObject } from '../../providers/read-json.js';
import { tierName } from './ai-sdk-requested-tiers.js';
import type { UsageExtras } from './ai-sdk-usage-extras.js';

/**
 * The tier an OpenAI answer was served at — `providerMetadata.openai.serviceTier` (Responses), or
 * `service_tier` of the response body (Chat Completions, `doGenerate` only; a chat stream's parts carry
 * none) — and the audio tokens of its raw usage (`prompt_tokens_details.audio_tokens`,
 * `completion_tokens_details.audio_tokens`, inside the prompt and completion counts).
 * The tier is not in the raw usage object the OpenAI normalizer reads; the audio tokens matter where the
 * tokens come from the AI SDK's own counts (when the normalizer split them out itself, its buckets win).
 */
export function openAIUsageExtras(
  raw: Record<string, unknown> | undefined,
  metadata: Record<string, unknown> | undefined,
  responseBody: unknown,
): UsageExtras {
  const reported = metadata?.serviceTier ?? asObject(responseBody)?.service_tier;
  const served = typeof reported === 'string' ? tierName(reported) : undefined;
  const extras: UsageExtras = {
    tiers: typeof reported === 'string' ? (served === undefined ? [] : [served]) : undefined,
  };
  if (!raw) return extras;
  const inputAudio = tokenCount(asObject(raw.prompt_tokens_details ?? raw.input_tokens_details)?.audio_tokens);
  const outputAudio = tokenCount(asObject(raw.completion_tokens_details ?? raw.output_tokens_details)?.audio_tokens);
  if (inputAudio > 0 || outputAudio > 0) {
    const modalities: ModalityBuckets = {};
    if (inputAudio > 0) modalities.inputAudio = inputAudio;
    if (outputAudio > 0) modalities.outputAudio = outputAudio;
    extras.modalities = modalities;
  }
  return extras;
}
