import type { AttachmentInfo } from './attachment-info.js';
import type { AttachmentTokenBound, AttachmentTokenOptions } from './attachment-token-bound.js';

/*
 * Source: OpenAI, "Images and vision", section "Calculating costs"
 * (https://platform.openai.com/docs/guides/images-vision#calculating-costs, read 2026-05 through the stored copies at
 * https://openai-hd4n6.mintlify.app/docs/guides/images and the worked examples quoted at https://v2ex.com/amp/t/1044688).
 * Tile models: fit in 2048x2048, shrink the short side to 768, then base + tiles x per-tile over 512 px tiles
 * (1024x1024 high = 765, 2048x4096 high = 1105). Patch models: 32 px patches capped at 1,536, times a multiplier.
 * Measured multipliers for gpt-5-mini (1.2), gpt-5-nano (1.5) and gpt-5.x (1.2), below the documented ones, come from
 * https://community.openai.com/t/introducing-gpt-5-4-mini-and-nano-our-most-capable-small-models-yet/1377015
 * (read 2026-05); the dearer figure is kept.
 */

type ImageRule =
  | { readonly kind: 'tile'; readonly base: number; readonly perTile: number }
  | { readonly kind: 'patch'; readonly budget: number; readonly multiplier: number };

interface VisionModel {
  readonly high: readonly ImageRule[];
  /** The `original` detail of the newest models, which lifts the patch budget; absent where it does not exist. */
  readonly original?: readonly ImageRule[];
  readonly documented: boolean;
}

const tile = (base: number, perTile: number): ImageRule => ({ kind: 'tile', base, perTile });
const patch = (budget: number, multiplier: number): ImageRule => ({ kind: 'patch', budget, multiplier });

/**
 * gpt-5.x is billed by patches with a larger budget and an `original` detail the guide describes only loosely;
 * the 2,500 and 10,000 patch budgets are the ones reported for it, taken as estimates.
 */
const newestGenerationHigh = [patch(2500, 1.2), tile(85, 170)];
const newestGenerationOriginal = [patch(10_000, 1.2)];

/** First match wins, so the more specific names come first. */
const visionModels: readonly [RegExp, VisionModel][] = [
  [/^gpt-4o-mini/, { high: [tile(2833, 5667)], documented: true }],
  [/^(gpt-4o|chatgpt-4o|gpt-4-turbo|gpt-4-vision|gpt-4\.5)/, { high: [tile(85, 170)], documented: true }],
  [/^gpt-4\.1-mini/, { high: [patch(1536, 1.62)], documented: true }],
  [/^gpt-4\.1-nano/, { high: [patch(1536, 2.46)], documented: true }],
  [/^gpt-4\.1/, { high: [tile(85, 170)], documented: true }],
  [/^(o4-mini|codex-mini)/, { high: [patch(1536, 1.72)], documented: true }],
  [/^gpt-5-mini/, { high: [patch(1536, 1.62)], documented: true }],
  [/^gpt-5-nano/, { high: [patch(1536, 2.46)], documented: true }],
  [/^gpt-5\.\d/, { high: newestGenerationHigh, original: newestGenerationOriginal, documented: false }],
  [/^gpt-5($|-)/, { high: [tile(70, 140), patch(1536, 1.2)], documented: true }],
  [/^(o1|o3)($|-)/, { high: [tile(75, 150)], documented: true }],
  [/^computer-use-preview/, { high: [tile(65, 129)], documented: true }],
];

/** Any other model may be any of the above, so it is charged as the dearest of them. */
const unknownModel: VisionModel = {
  high: [...visionModels.flatMap(([, model]) => model.high)],
  original: newestGenerationOriginal,
  documented: false,
};

/**
 * A PDF page reaches the model as its extracted text plus an image of the page ("File inputs",
 * https://platform.openai.com/docs/guides/pdf-files, read 2026-05). The text part is not documented; 3,000 tokens is
 * the top of the per-page range Anthropic documents for the same extraction, generous for a printed page.
 */
const pdfTextTokensPerPage = 3000;

/**
 * Audio input is 1 token per 100 ms in the Realtime guide ("Managing costs",
 * https://platform.openai.com/docs/guides/realtime-costs, read 2026-05); Chat Completions audio is not documented,
 * so the rate is doubled.
 */
const audioTokensPerSecond = 20;

export function openaiAttachmentTokens(
  model: string,
  info: Exclude<AttachmentInfo, { kind: 'unknown' }>,
  options: AttachmentTokenOptions,
): AttachmentTokenBound {
  const vision = visionModels.find(([pattern]) => pattern.test(model))?.[1] ?? unknownModel;
  if (info.kind === 'audio') {
    return { tokens: Math.ceil(info.seconds * audioTokensPerSecond), basis: 'estimated' };
  }
  if (info.kind === 'pdf') {
    if (info.pages === undefined) return { tokens: undefined, basis: 'unknown' };
    const pageImage = imageTokens(rulesFor(vision, 'auto'), 'auto', undefined, undefined);
    return { tokens: info.pages * (pdfTextTokensPerPage + pageImage), basis: 'estimated' };
  }
  const detail = options.detail ?? 'auto';
  return {
    tokens: imageTokens(rulesFor(vision, detail), detail, info.width, info.height),
    basis: vision.documented ? 'proven' : 'estimated',
  };
}

function rulesFor(vision: VisionModel, detail: NonNullable<AttachmentTokenOptions['detail']>): readonly ImageRule[] {
  if (detail === 'original') return vision.original ?? vision.high;
  if (detail === 'auto') return [...vision.high, ...(vision.original ?? [])];
  return vision.high;
}

function imageTokens(
  rules: readonly ImageRule[],
  detail: NonNullable<AttachmentTokenOptions['detail']>,
  width: number | undefined,
  height: number | undefined,
): number {
  return Math.max(...rules.map((rule) => ruleTokens(rule, detail, width, height)));
}

function ruleTokens(
  rule: ImageRule,
  detail: NonNullable<AttachmentTokenOptions['detail']>,
  width: number | undefined,
  height: number | undefined,
): number {
  if (rule.kind === 'patch') {
    // Patch models ignore `low`: measured bills are the same at every detail.
    const patches =
      width === undefined || height === undefined ? rule.budget : Math.ceil(width / 32) * Math.ceil(height / 32);
    return Math.ceil(Math.min(patches, rule.budget) * rule.multiplier);
  }
  if (detail === 'low') return rule.base;
  return rule.base + rule.perTile * highDetailTiles(width, height);
}

/**
 * Both steps only shrink: a 128x64 image is billed one tile, not upscaled to 768 px. Without a size the worst case
 * is 2x4 tiles (short side at most 768, long side at most 2048). Scaled sides are rounded up, so rounding never
 * saves a tile the real resize might not.
 */
function highDetailTiles(width: number | undefined, height: number | undefined): number {
  if (width === undefined || height === undefined) return 8;
  let scaledWidth = width;
  let scaledHeight = height;
  const fit = Math.min(1, 2048 / Math.max(scaledWidth, scaledHeight));
  scaledWidth *= fit;
  scaledHeight *= fit;
  const shrink = Math.min(1, 768 / Math.min(scaledWidth, scaledHeight));
  scaledWidth = roundUp(scaledWidth * shrink);
  scaledHeight = roundUp(scaledHeight * shrink);
  return Math.ceil(scaledWidth / 512) * Math.ceil(scaledHeight / 512);
}

/** Rounds up, but not a value that is an integer up to floating-point noise (1024 x 0.75 must stay 768). */
function roundUp(value: number): number {
  return Math.ceil(value - 1e-9);
}
