import { constants, inflateSync } from 'node:zlib';

export interface CountPdfPagesOptions {
  /** Total bytes all object streams may inflate to; past it the count is unknown rather than a possible undercount. */
  readonly inflatedByteLimit?: number;
}

const defaultInflatedByteLimit = 64 * 1024 * 1024;
const objectHeader = /(\d+)\s+(\d+)\s+obj\b/g;
/** `/Type /Page` but not `/Type /Pages`: a name ends at whitespace or a delimiter, never at a letter. */
const pageType = /\/Type\s*\/Page(?![A-Za-z0-9#._-])/;
const pagesType = /\/Type\s*\/Pages(?![A-Za-z0-9#._-])/;
const pageCount = /\/Count\s+(\d+)/;
const objectStreamType = /\/Type\s*\/ObjStm(?![A-Za-z0-9#._-])/;

/**
 * An upper bound of the pages a PDF renders to, or undefined when it cannot be known.
 *
 * Two independent readings are taken and the larger kept, because each can undercount alone: the `/Count` of the
 * page tree (a producer can write it wrong) and the number of distinct page objects (incremental updates leave
 * old ones behind, which only overcounts). Page objects and the page tree may live in compressed object streams
 * (PDF 1.5+), so those are inflated; a stream that cannot be read, or inflation past the limit, makes the
 * answer unknown, since the pages it holds would be missed.
 */
export function countPdfPages(bytes: Uint8Array, options: CountPdfPagesOptions = {}): number | undefined {
  const text = latin1(bytes);
  if (!text.slice(0, 1024).includes('%PDF-')) return undefined;
  const tally = new PageTally();
  let objectStreamsReadable = true;
  let inflatedBudget = options.inflatedByteLimit ?? defaultInflatedByteLimit;

  for (const object of topLevelObjects(text)) {
    if (objectStreamType.test(object.dictionary)) {
      const decoded = decodeStream(bytes, object, inflatedBudget);
      if (decoded === undefined) {
        objectStreamsReadable = false;
        continue;
      }
      inflatedBudget -= decoded.length;
      for (const inner of objectsInStream(latin1(decoded), object.dictionary)) tally.add(inner.key, inner.body);
      continue;
    }
    tally.add(object.key, object.dictionary);
  }
  if (!objectStreamsReadable) return undefined;
  const pages = tally.pages();
  return pages > 0 ? pages : undefined;
}

class PageTally {
  private readonly pageObjects = new Set<string>();
  private largestTreeCount = 0;

  add(key: string, body: string): void {
    if (pageType.test(body)) this.pageObjects.add(key);
    if (pagesType.test(body)) {
      const count = pageCount.exec(body);
      if (count?.[1] !== undefined) this.largestTreeCount = Math.max(this.largestTreeCount, Number(count[1]));
    }
  }

  pages(): number {
    const count = Math.max(this.pageObjects.size, this.largestTreeCount);
    return Number.isSafeInteger(count) ? count : 0;
  }
}

interface TopLevelObject {
  readonly key: string;
  /** The object's text before any stream data: the dictionary for a stream, the whole object otherwise. */
  readonly dictionary: string;
  /** Offset just past the `stream` keyword, when the object has one. */
  readonly streamStart?: number;
  readonly end: number;
}

function* topLevelObjects(text: string): Generator<TopLevelObject> {
  // Each keyword search resumes where the last one ended, so garbage full of `obj` and no `endobj` stays linear.
  const endObjects = new NextOccurrence(text, 'endobj');
  const streams = new NextOccurrence(text, 'stream');
  const endStreams = new NextOccurrence(text, 'endstream');
  const headers = new RegExp(objectHeader.source, 'g');
  let match = headers.exec(text);
  while (match !== null) {
    const bodyStart = match.index + match[0].length;
    const key = `${match[1]} ${match[2]}`;
    headers.lastIndex = bodyStart;
    const next = headers.exec(text);
    const nextObject = next === null ? text.length : next.index;
    const endObject = endObjects.after(bodyStart);
    const end = Math.min(endObject, nextObject);
    let stream = streams.after(bodyStart);
    // `endstream` contains `stream`; the keyword that opens stream data is never preceded by `end`.
    while (stream < end && text.startsWith('end', stream - 3)) stream = streams.after(stream + 1);
    if (stream < end) {
      yield { key, dictionary: text.slice(bodyStart, stream), streamStart: stream + 'stream'.length, end };
      // Stream data is binary; an `obj` inside it must not be taken for an object header.
      const endStream = endStreams.after(stream);
      headers.lastIndex = endStream < text.length ? endStream : end;
    } else {
      yield { key, dictionary: text.slice(bodyStart, end), end };
      headers.lastIndex = end;
    }
    match = headers.exec(text);
  }
}

class NextOccurrence {
  private found = -1;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  /** The first occurrence at or after `position`, or the text length when there is none. */
  after(position: number): number {
    if (this.found >= position) return this.found;
    if (this.found === this.text.length) return this.found;
    const index = this.text.indexOf(this.needle, position);
    this.found = index < 0 ? this.text.length : index;
    return this.found;
  }
}

function decodeStream(bytes: Uint8Array, object: TopLevelObject, budget: number): Uint8Array | undefined {
  if (object.streamStart === undefined || budget <= 0) return undefined;
  let start = object.streamStart;
  if (bytes[start] === 0x0d) start += 1;
  if (bytes[start] === 0x0a) start += 1;
  const endStream = indexOfAscii(bytes, 'endstream', start);
  const throughEndStream = bytes.subarray(start, endStream >= 0 ? endStream : bytes.length);
  const filter = /\/Filter\s*(\/[^\s/<>[\]()]+|\[[^\]]*\])/.exec(object.dictionary)?.[1];
  if (filter === undefined) return throughEndStream.length <= budget ? throughEndStream : undefined;
  const names = filter.match(/\/[^\s/<>[\]()]+/g) ?? [];
  if (names.length !== 1 || (names[0] !== '/FlateDecode' && names[0] !== '/Fl')) return undefined;
  // A direct /Length is the exact extent; an indirect one (`12 0 R`) is not followed, zlib stops at its own end.
  const declaredLength = /\/Length\s+(\d+)(?![\d\s]*R)/.exec(object.dictionary)?.[1];
  const candidates = [throughEndStream];
  if (declaredLength !== undefined && start + Number(declaredLength) <= bytes.length) {
    candidates.unshift(bytes.subarray(start, start + Number(declaredLength)));
  }
  for (const data of candidates) {
    try {
      // Object streams never use predictors in practice; one that did would inflate to garbage, not fewer pages.
      return inflateSync(data, { maxOutputLength: budget, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (error) {
      if (error instanceof RangeError) return undefined; // over the inflation budget: a bomb or just too big
    }
  }
  return undefined;
}

interface StreamObject {
  readonly key: string;
  readonly body: string;
}

function* objectsInStream(text: string, dictionary: string): Generator<StreamObject> {
  const first = Number(/\/First\s+(\d+)/.exec(dictionary)?.[1] ?? Number.NaN);
  const count = Number(/\/N\s+(\d+)/.exec(dictionary)?.[1] ?? Number.NaN);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first > text.length) {
    // Without a usable header the stream is still scanned as one body, so its pages are not lost.
    yield { key: `stream:${dictionary.length}:${text.length}`, body: text };
    return;
  }
  const header = text.slice(0, first).trim().split(/\s+/).map(Number);
  const entries: { readonly number: number; readonly offset: number }[] = [];
  for (let index = 0; index + 1 < header.length && entries.length < count; index += 2) {
    const number = header[index];
    const offset = header[index + 1];
    if (
      number === undefined ||
      offset === undefined ||
      !Number.isSafeInteger(number) ||
      !Number.isSafeInteger(offset)
    ) {
      break;
    }
    entries.push({ number, offset });
  }
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index];
    if (entry === undefined) continue;
    const next = entries[index + 1];
    const bodyEnd = next === undefined ? text.length : first + next.offset;
    yield { key: `${entry.number} 0`, body: text.slice(first + entry.offset, Math.max(first + entry.offset, bodyEnd)) };
  }
}

function indexOfAscii(bytes: Uint8Array, needle: string, from: number): number {
  const first = needle.charCodeAt(0);
  for (let index = bytes.indexOf(first, from); index >= 0; index = bytes.indexOf(first, index + 1)) {
    let matched = true;
    for (let offset = 1; offset < needle.length; offset += 1) {
      if (bytes[index + offset] !== needle.charCodeAt(offset)) {
        matched = false;
        break;
      }
    }
    if (matched) return index;
  }
  return -1;
}

function latin1(bytes: Uint8Array): string {
  // TextDecoder's 'latin1' is windows-1252, which remaps 0x80-0x9F; decoding in chunks keeps offsets one-to-one.
  let text = '';
  const chunk = 0x8000;
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    text += String.fromCharCode(...bytes.subarray(offset, offset + chunk));
  }
  return text;
}
