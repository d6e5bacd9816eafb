/**
 * Random access to the bytes of an attachment without decoding all of it: an image header needs the first few
 * kilobytes of a multi-megabyte base64 payload, an Ogg duration needs the last page, and only a PDF needs the whole.
 */
export interface AttachmentSource {
  /** Decoded length, known from the base64 length alone. */
  readonly totalBytes: number;
  /** The decoded bytes [start, end), clipped to the payload. */
  read(start: number, end: number): Uint8Array;
}

const base64Values = buildBase64Values();
const base64Alphabet = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const base64Characters = /^[A-Za-z0-9+/\-_]*$/;
/** Enough of the payload to tell base64 from a URL or a file id without scanning megabytes. */
const sniffedCharacters = 4096;

/**
 * Wraps bytes, a base64 string or a `data:` URL. Returns undefined for anything else (an http URL, a file id),
 * whose size cannot be known from the request alone.
 */
export function attachmentSource(input: Uint8Array | string): AttachmentSource | undefined {
  if (typeof input !== 'string') return bytesSource(input);
  let body = input;
  if (input.startsWith('data:')) {
    const comma = input.indexOf(',');
    if (comma < 0) return undefined;
    const header = input.slice(5, comma);
    body = input.slice(comma + 1);
    if (!/;base64$/i.test(header)) return percentEncodedSource(body);
  }
  if (/\s/.test(body)) body = body.replace(/\s+/g, '');
  if (body.length === 0) return undefined;
  const looksLikeBase64 =
    body.length > sniffedCharacters
      ? base64Characters.test(body.slice(0, sniffedCharacters))
      : base64Alphabet.test(body);
  if (!looksLikeBase64) return undefined;
  return base64Source(body);
}

function bytesSource(bytes: Uint8Array): AttachmentSource {
  return {
    totalBytes: bytes.length,
    read: (start, end) => bytes.subarray(clamp(start, bytes.length), clamp(end, bytes.length)),
  };
}

function percentEncodedSource(body: string): AttachmentSource | undefined {
  try {
    return bytesSource(new TextEncoder().encode(decodeURIComponent(body)));
  } catch {
    return undefined;
  }
}

function base64Source(body: string): AttachmentSource {
  let end = body.length;
  while (end > 0 && body.charCodeAt(end - 1) === 61 /* = */ && body.length - end < 2) end -= 1;
  const totalBytes = Math.floor((end * 3) / 4);
  return {
    totalBytes,
    read(start, stop) {
      const from = clamp(start, totalBytes);
      const to = clamp(stop, totalBytes);
      if (to <= from) return new Uint8Array(0);
      // Base64 maps every 3 bytes to 4 characters, so a byte range starts at a 4-character boundary.
      const firstGroup = Math.floor(from / 3);
      const lastGroup = Math.ceil(to / 3);
      const decoded = decodeBase64Groups(body, firstGroup * 4, Math.min(end, lastGroup * 4));
      return decoded.subarray(from - firstGroup * 3, to - firstGroup * 3);
    },
  };
}

function decodeBase64Groups(text: string, start: number, end: number): Uint8Array {
  const output = new Uint8Array(Math.ceil(((end - start) * 3) / 4));
  let written = 0;
  let accumulator = 0;
  let bits = 0;
  for (let index = start; index < end; index += 1) {
    // Characters outside the alphabet decode as zero: a corrupt payload gives garbage bytes, never an exception.
    accumulator = (accumulator << 6) | (base64Values[text.charCodeAt(index) & 0xff] ?? 0);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      output[written] = (accumulator >> bits) & 0xff;
      written += 1;
    }
    accumulator &= (1 << bits) - 1;
  }
  return output.subarray(0, written);
}

function buildBase64Values(): Uint8Array {
  const values = new Uint8Array(256);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let index = 0; index < alphabet.length; index += 1) values[alphabet.charCodeAt(index)] = index;
  values[45] = 62; // '-' of the URL-safe alphabet
  values[95] = 63; // '_'
  return values;
}

function clamp(value: number, length: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(Math.floor(value), length);
}
