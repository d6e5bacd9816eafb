import type { CallRequest } from '../../budget/plan-call.js';
import type { NormalizedUsage } from '../../core/usage.js';
import { createPromptShape } from '../../tokens/estimate-prompt-tokens.js';
import type { EndpointAdapter, RequestParams, StreamUsageTracker } from '../provider-adapter.js';
import { asObject, parseJsonObject, positiveInteger } from '../read-json.js';
import { rewriteParams } from '../rewrite-params.js';
import { normalizeOpenAIUsage } from './normalize-openai-usage.js';

/**
 * The GPT image models bill tokens and report them in `usage`; DALL·E bills per image by size and quality,
 * which the price data does not carry, so those requests are left unguarded (describe returns null).
 */
const TOKEN_PRICED_IMAGE_MODEL = /^(?:gpt-image|chatgpt-image)/;

/**
 * Output tokens of one image by quality and size (square 1024², portrait 1024×1536, landscape 1536×1024), from
 * https://platform.openai.com/docs/guides/image-generation#cost-and-latency (gpt-image-1). `auto` and unknown
 * values take the largest of the row / the high row: never under-reserve.
 */
const IMAGE_OUTPUT_TOKENS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  low: { '1024x1024': 272, '1024x1536': 408, '1536x1024': 400 },
  medium: { '1024x1024': 1_056, '1024x1536': 1_584, '1536x1024': 1_568 },
  high: { '1024x1024': 4_160, '1024x1536': 6_240, '1536x1024': 6_208 },
};
const LARGEST_IMAGE_TOKENS = 6_240;
/** "Each partial image costs an additional 100 image output tokens" (same guide, streaming). */
const PARTIAL_IMAGE_TOKENS = 100;

function imageOutputTokens(params: RequestParams): number {
  const row = typeof params.quality === 'string' ? IMAGE_OUTPUT_TOKENS[params.quality] : undefined;
  const size = typeof params.size === 'string' ? row?.[params.size] : undefined;
  const base = size ?? (row ? Math.max(...Object.values(row)) : LARGEST_IMAGE_TOKENS);
  return base + (positiveInteger(params.partial_images) ?? 0) * PARTIAL_IMAGE_TOKENS;
}

function describeImages(params: RequestParams): CallRequest | null {
  if (typeof params.model !== 'string' || !TOKEN_PRICED_IMAGE_MODEL.test(params.model)) return null;
  const prompt = createPromptShape();
  if (typeof params.prompt === 'string') prompt.texts.push(params.prompt);
  // Edits: every input image (and the mask) is an attachment, billed at the image input rate.
  const images = params.image;
  prompt.attachments += (Array.isArray(images) ? images.length : images != null ? 1 : 0) + (params.mask ? 1 : 0);
  return {
    provider: 'openai',
    model: params.model,
    outputCap: imageOutputTokens(params),
    choices: positiveInteger(params.n) ?? 1,
    producesOutput: true,
    prompt,
    cacheWrite: undefined,
    tokenizer: 'exact',
    hiddenContext: false,
  };
}

function imagesUsage(json: unknown): NormalizedUsage | null {
  return normalizeOpenAIUsage(asObject(json)?.usage, 'completion', { outputIsImage: true });
}

/** `image_generation.completed` / `image_edit.completed` carry the usage; partial images do not. */
class ImageStreamTracker implements StreamUsageTracker {
  #usage: NormalizedUsage | null = null;
  #complete = false;

  onEvent(_eventName: string | undefined, data: string): boolean {
    if (!data.includes('.completed"')) return false;
    const event = parseJsonObject(data);
    const type = event?.type;
    if (type !== 'image_generation.completed' && type !== 'image_edit.completed') return false;
    this.#usage = imagesUsage(event);
    this.#complete = true;
    return false;
  }

  result() {
    return { usage: this.#usage, complete: this.#complete };
  }
}

/** `images.generate` and `images.edit` for the token-priced GPT image models. */
export function createOpenAIImagesEndpoint(): EndpointAdapter {
  return {
    provider: 'openai',
    alwaysStreams: false,
    describe: describeImages,
    isStream: (params) => params.stream === true,
    // No output-cap field: the size and quality fix the output, and the planner never clamps a set cap.
    rewrite: (params, changes) => rewriteParams(params, changes, undefined),
    needsUsageReporting: () => false,
    usageFromJson: imagesUsage,
    createStreamTracker: () => new ImageStreamTracker(),
    // An image request has no text answer to make locally.
    syntheticBody: () => null,
    // DALL·E bills per image by size and quality, which the price data does not hold (the API's default
    // model is dall-e-2).
    unpricedRequest: (params) => `images with ${typeof params.model === 'string' ? params.model : 'dall-e-2'}`,
  };
}
