import type { AttachmentInfo } from './attachment-info.js';
import type { AttachmentTokenBound } from './attachment-token-bound.js';

/*
 * Source: Anthropic, "Images and vision" (https://platform.claude.com/docs/en/build-with-claude/vision, read 2026-05
 * in two stored revisions). The older one gives tokens ~= width x height / 750 after shrinking so the long edge is at
 * most 1568 px and the image at most ~1,600 tokens (1092x1092 ~= 1,590). The newer one counts 28x28 px patches,
 * ceil(width / 28) x ceil(height / 28), after padding to a multiple of 28, with a larger native resolution for
 * Claude Opus 4.7 and later: 2576 px on the long edge, ~3.75 megapixels
 * (https://www.claudecodecamp.com/p/images-cost-3x-more-tokens-in-claude-opus-4-7, read 2026-05). Since one formula
 * is an approximation and the exact resize rule is not published, the bound takes the larger of both, rounding
 * every scaled side up, and is an estimate.
 */

interface NativeResolution {
  readonly longEdge: number;
  readonly pixels: number;
}

const standardResolution: NativeResolution = { longEdge: 1568, pixels: 1600 * 750 };
const highResolution: NativeResolution = { longEdge: 2576, pixels: 3_750_000 };

/*
 * Source: Anthropic, "PDF support", section "Estimate your costs"
 * (https://platform.claude.com/docs/en/build-with-claude/pdf-support, read 2026-05): each page is sent as extracted
 * text, "typically 1,500-3,000 tokens per page depending on content density", plus an image of the page billed like
 * any image. The top of the range is taken, plus the dearest page image the model can see.
 */
const pdfTextTokensPerPage = 3000;

export function anthropicAttachmentTokens(
  model: string,
  info: Exclude<AttachmentInfo, { kind: 'unknown' }>,
): AttachmentTokenBound {
  const resolution = nativeResolution(model);
  if (info.kind === 'audio') return { tokens: undefined, basis: 'unknown' }; // the Messages API takes no audio
  if (info.kind === 'pdf') {
    if (info.pages === undefined) return { tokens: undefined, basis: 'unknown' };
    return { tokens: info.pages * (pdfTextTokensPerPage + largestImageTokens(resolution)), basis: 'estimated' };
  }
  if (info.width === undefined || info.height === undefined) {
    return { tokens: largestImageTokens(resolution), basis: 'estimated' };
  }
  return { tokens: imageTokens(resolution, info.width, info.height), basis: 'estimated' };
}

function imageTokens(resolution: NativeResolution, width: number, height: number): number {
  const scale = Math.min(
    1,
    resolution.longEdge / Math.max(width, height),
    Math.sqrt(resolution.pixels / (width * height)),
  );
  const scaledWidth = Math.ceil(width * scale - 1e-9);
  const scaledHeight = Math.ceil(height * scale - 1e-9);
  const byArea = Math.ceil((scaledWidth * scaledHeight) / 750);
  const byPatches = Math.ceil(scaledWidth / 28) * Math.ceil(scaledHeight / 28);
  return Math.max(byArea, byPatches);
}

/**
 * The most any image can cost: the area formula tops out at pixels / 750, and padding to 28 px adds at most one
 * row and one column of patches along the two sides.
 */
function largestImageTokens(resolution: NativeResolution): number {
  return Math.ceil(resolution.pixels / 750) + 2 * Math.ceil(resolution.longEdge / 28) + 1;
}

/**
 * Claude 3.x and 4.0-4.6 see at most 1568 px; Opus 4.7 and anything newer or unrecognised gets the larger native
 * resolution, the dearer assumption.
 */
function nativeResolution(model: string): NativeResolution {
  const legacy = /^claude-(\d)(?:-(\d))?-(?:opus|sonnet|haiku)/.exec(model);
  if (legacy !== null) return standardResolution;
  const current = /^claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:$|[-@:])/.exec(model);
  if (current === null) return highResolution;
  const major = Number(current[1]);
  const minor = Number(current[2] ?? 0);
  return major < 4 || (major === 4 && minor < 7) ? standardResolution : highResolution;
}
