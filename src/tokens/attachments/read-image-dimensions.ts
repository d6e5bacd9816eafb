import type { ImageFormat } from './attachment-info.js';
import { ByteView } from './byte-view.js';

export interface ImageDimensions {
  readonly format: ImageFormat;
  readonly width?: number;
  readonly height?: number;
}

/**
 * Reads the pixel size from the header of a PNG, JPEG, GIF or WebP; recognises HEIC and AVIF without a size.
 * Returns undefined when the bytes are not an image it knows. A zero or absent side means "unknown", never "tiny".
 */
export function readImageDimensions(data: Uint8Array): ImageDimensions | undefined {
  const bytes = new ByteView(data);
  if (bytes.startsWith(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return pngDimensions(bytes);
  if (bytes.startsWith(0, [0xff, 0xd8, 0xff])) return jpegDimensions(bytes);
  if (bytes.ascii(0, 6) === 'GIF87a' || bytes.ascii(0, 6) === 'GIF89a') {
    return sized('gif', bytes.uint16LittleEndian(6), bytes.uint16LittleEndian(8));
  }
  if (bytes.ascii(0, 4) === 'RIFF' && bytes.ascii(8, 4) === 'WEBP') return webpDimensions(bytes);
  const brand = isoBrand(bytes);
  if (brand !== undefined) {
    if (brand.startsWith('avi')) return { format: 'avif' };
    if (['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1'].includes(brand)) return { format: 'heic' };
  }
  return undefined;
}

function pngDimensions(bytes: ByteView): ImageDimensions {
  if (bytes.ascii(12, 4) !== 'IHDR') return { format: 'png' };
  return sized('png', bytes.uint32BigEndian(16), bytes.uint32BigEndian(20));
}

/**
 * Walks the marker segments up to the first frame header. The frame header always comes before the first scan,
 * so the walk stops at SOS instead of wading through entropy-coded data; a size hidden further (DNL) is unknown.
 */
function jpegDimensions(bytes: ByteView): ImageDimensions {
  let offset = 2;
  while (offset < bytes.length) {
    if (bytes.uint8(offset) !== 0xff) {
      offset += 1; // tolerate stray bytes between segments, as decoders do
      continue;
    }
    while (bytes.uint8(offset) === 0xff) offset += 1; // 0xFF fill bytes may pad any marker
    const marker = bytes.uint8(offset);
    offset += 1;
    if (marker === undefined) break;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length field
    if (marker === 0xd9 || marker === 0xda) break;
    const length = bytes.uint16BigEndian(offset);
    if (length === undefined || length < 2) break;
    const isFrameHeader = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrameHeader) {
      return sized('jpeg', bytes.uint16BigEndian(offset + 5), bytes.uint16BigEndian(offset + 3));
    }
    offset += length;
  }
  return { format: 'jpeg' };
}

function webpDimensions(bytes: ByteView): ImageDimensions {
  const chunk = bytes.ascii(12, 4);
  if (chunk === 'VP8 ') {
    // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit sizes (the top 2 bits are a scale hint).
    if (!bytes.startsWith(23, [0x9d, 0x01, 0x2a])) return { format: 'webp' };
    const width = bytes.uint16LittleEndian(26);
    const height = bytes.uint16LittleEndian(28);
    return sized(
      'webp',
      width === undefined ? undefined : width & 0x3fff,
      height === undefined ? undefined : height & 0x3fff,
    );
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2F, then width-1 and height-1 as two 14-bit fields, least significant bit first.
    const packed = bytes.uint32LittleEndian(21);
    if (bytes.uint8(20) !== 0x2f || packed === undefined) return { format: 'webp' };
    return sized('webp', (packed & 0x3fff) + 1, ((packed >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    const width = bytes.uint24LittleEndian(24);
    const height = bytes.uint24LittleEndian(27);
    return sized('webp', width === undefined ? undefined : width + 1, height === undefined ? undefined : height + 1);
  }
  return { format: 'webp' };
}

function isoBrand(bytes: ByteView): string | undefined {
  if (bytes.ascii(4, 4) !== 'ftyp') return undefined;
  return bytes.ascii(8, 4);
}

function sized(format: ImageFormat, width: number | undefined, height: number | undefined): ImageDimensions {
  if (width === undefined || height === undefined || width <= 0 || height <= 0) return { format };
  return { format, width, height };
}
