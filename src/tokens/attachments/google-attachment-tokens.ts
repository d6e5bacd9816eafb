import type { AttachmentInfo } from './attachment-info.js';
import type { AttachmentTokenBound, AttachmentTokenOptions } from './attachment-token-bound.js';

type MediaResolution = NonNullable<AttachmentTokenOptions['mediaResolution']>;

/*
 * Source: Google, "Media resolution", section "Token counts" (https://ai.google.dev/gemini-api/docs/media-resolution,
 * read 2026-05, levels as tabulated at https://fastgptplus.com/en/posts/gemini-3-pro-media-resolution-parameter):
 * Gemini 3 gives each image or PDF page a fixed budget per level, 280 / 560 / 1120 / 2240 (ultra high, per part);
 * unspecified means high for images and medium for PDF pages. Measured PDF counts (560 per page plus 1 for the
 * document, https://huggingface.co/datasets/JOHNISKING/pdf-token-cost) agree.
 */
const gemini3Budgets: Readonly<Record<Exclude<MediaResolution, 'unspecified'>, number>> = {
  low: 280,
  medium: 560,
  high: 1120,
  ultra_high: 2240,
};
const gemini3Defaults = { image: gemini3Budgets.high, page: gemini3Budgets.medium };

/*
 * Source: Google, "Image understanding" and "Document understanding"
 * (https://ai.google.dev/gemini-api/docs/image-understanding, https://ai.google.dev/gemini-api/docs/document-processing,
 * read 2026-05): before Gemini 3 an image with both sides at most 384 px costs 258 tokens, a larger one is cropped
 * and scaled into 768x768 tiles of 258 tokens each, and each PDF page costs 258 tokens. How the tiles are cut is
 * not published exactly; Vertex AI describes a crop unit of min(width, height) / 1.5, which cuts more tiles for
 * elongated images, so the larger of both readings is taken and the result is an estimate.
 */
const tileTokens = 258;
const smallImageSide = 384;
const tileSide = 768;
/** Below a 256 px crop unit the Vertex reading would cut a thin strip into hundreds of tiles; it scales instead. */
const smallestCropUnit = 256;

/** Framing the API adds around a document part (measured: a 1-page PDF is one token over its page budget). */
const documentOverhead = 16;

/*
 * Source: Google, "Understand and count tokens" (https://ai.google.dev/gemini-api/docs/tokens, read 2026-05):
 * "Gemini represents each second of audio as 32 tokens", at every media resolution.
 */
const audioTokensPerSecond = 32;

type Generation = 'budgeted' | 'tiled' | 'unknown';

export function googleAttachmentTokens(
  model: string,
  info: Exclude<AttachmentInfo, { kind: 'unknown' }>,
  options: AttachmentTokenOptions,
): AttachmentTokenBound {
  const generation = modelGeneration(model);
  if (info.kind === 'audio') {
    return { tokens: Math.ceil(info.seconds * audioTokensPerSecond), basis: info.exact ? 'proven' : 'estimated' };
  }
  const resolution = options.mediaResolution;
  if (info.kind === 'pdf') {
    if (info.pages === undefined) return { tokens: undefined, basis: 'unknown' };
    const budgeted = budgetFor(resolution, gemini3Defaults.page);
    const perPage =
      generation === 'budgeted' ? budgeted : generation === 'tiled' ? tileTokens : Math.max(budgeted, tileTokens);
    // Before Gemini 3 the documentation gives 258 per page without saying how media resolution changes it.
    const proven = generation === 'budgeted' ? resolution !== undefined : generation === 'tiled';
    return { tokens: info.pages * perPage + documentOverhead, basis: proven ? 'proven' : 'estimated' };
  }
  const budgeted = budgetFor(resolution, gemini3Defaults.image);
  if (generation === 'budgeted') return { tokens: budgeted, basis: resolution === undefined ? 'estimated' : 'proven' };
  if (info.width === undefined || info.height === undefined) {
    // A tiled image of unknown size has no ceiling; a Gemini 3 budget alone does not bound an older model.
    return { tokens: undefined, basis: 'unknown' };
  }
  const tiled = tiledImageTokens(info.width, info.height);
  return { tokens: generation === 'tiled' ? tiled : Math.max(tiled, budgeted), basis: 'estimated' };
}

/** Without a stated resolution any level may be asked for per part, so the dearest one is assumed. */
function budgetFor(resolution: MediaResolution | undefined, unspecified: number): number {
  if (resolution === undefined) return gemini3Budgets.ultra_high;
  return resolution === 'unspecified' ? unspecified : gemini3Budgets[resolution];
}

function tiledImageTokens(width: number, height: number): number {
  if (width <= smallImageSide && height <= smallImageSide) return tileTokens;
  const squareTiles = Math.ceil(width / tileSide) * Math.ceil(height / tileSide);
  const cropUnit = Math.max(smallestCropUnit, Math.floor(Math.min(width, height) / 1.5));
  const cropTiles = Math.ceil(width / cropUnit) * Math.ceil(height / cropUnit);
  return Math.max(squareTiles, cropTiles) * tileTokens;
}

function modelGeneration(model: string): Generation {
  const version = /^gemini-(\d+)(?:\.(\d+))?/.exec(model);
  if (version === null) return 'unknown';
  return Number(version[1]) >= 3 ? 'budgeted' : 'tiled';
}
