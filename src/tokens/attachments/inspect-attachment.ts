import type { AttachmentInfo } from './attachment-info.js';
import { attachmentSource } from './attachment-source.js';
import { countPdfPages } from './count-pdf-pages.js';
import { readAudioDuration } from './read-audio-duration.js';
import { readImageDimensions } from './read-image-dimensions.js';

export interface InspectAttachmentOptions {
  /** Total bytes the compressed object streams of a PDF may inflate to (default 64 MiB); past it pages are unknown. */
  readonly inflatedByteLimit?: number;
}

/** Every header this module reads fits here, except JPEG (metadata segments come first) and MP3 behind ID3 art. */
const headBytes = 64 * 1024;
/** The last Ogg page is at most 65,307 bytes long, so this always holds its header. */
const tailBytes = 128 * 1024;
/** JPEG frame headers hide behind EXIF, ICC and XMP segments; most are found within a megabyte. */
const jpegSearchSteps = [1024 * 1024, Number.POSITIVE_INFINITY];

/**
 * Detects the format of an attachment from its magic bytes and reads what its token cost depends on: pixel size,
 * page count, playing time. Accepts bytes, a base64 string or a `data:` URL, and decodes only as much as needed.
 * Returns undefined for input that carries no bytes (an http URL, a provider file id). Never throws.
 */
export function inspectAttachment(
  input: Uint8Array | string,
  options: InspectAttachmentOptions = {},
): AttachmentInfo | undefined {
  const source = attachmentSource(input);
  if (source === undefined) return undefined;
  const bytes = source.totalBytes;
  const head = source.read(0, headBytes);

  let image = readImageDimensions(head);
  if (image?.format === 'jpeg' && image.width === undefined && bytes > headBytes) {
    for (const step of jpegSearchSteps) {
      image = readImageDimensions(source.read(0, step)) ?? image;
      if (image.width !== undefined || step >= bytes) break;
    }
  }
  if (image !== undefined) {
    return image.width === undefined || image.height === undefined
      ? { kind: 'image', format: image.format, bytes }
      : { kind: 'image', format: image.format, width: image.width, height: image.height, bytes };
  }

  if (isPdf(head)) {
    const limit = options.inflatedByteLimit;
    const pages = countPdfPages(source.read(0, bytes), limit === undefined ? {} : { inflatedByteLimit: limit });
    return pages === undefined ? { kind: 'pdf', bytes } : { kind: 'pdf', pages, bytes };
  }

  const audioHead = source.read(0, id3Length(head) + headBytes);
  const audio = readAudioDuration(audioHead, source.read(Math.max(0, bytes - tailBytes), bytes), bytes);
  if (audio !== undefined)
    return { kind: 'audio', format: audio.format, seconds: audio.seconds, exact: audio.exact, bytes };
  return { kind: 'unknown', bytes };
}

function isPdf(head: Uint8Array): boolean {
  // The header may follow some junk bytes; readers accept it anywhere in the first kilobyte.
  const start = String.fromCharCode(...head.subarray(0, 1024));
  return start.includes('%PDF-');
}

/** An ID3v2 tag (often with cover art) precedes the first MP3 frame and can be megabytes long. */
function id3Length(head: Uint8Array): number {
  if (head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return 0;
  let size = 0;
  for (let index = 6; index < 10; index += 1) size = size * 128 + ((head[index] ?? 0) & 0x7f);
  return 10 + size + 10;
}
