import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleAttachments as fixtures } from '../../testing/sample-attachments.js';
import { inspectAttachment } from './inspect-attachment.js';

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

describe('inspectAttachment: images', () => {
  it.each([
    ['png', fixtures.png(1024, 768), 1024, 768],
    ['png', fixtures.png(40_000, 3), 40_000, 3],
    ['gif', fixtures.gif(320, 200), 320, 200],
    ['webp', fixtures.webpLossy(1920, 1080), 1920, 1080],
    ['webp', fixtures.webpLossless(16_383, 1), 16_383, 1],
    ['webp', fixtures.webpExtended(9000, 12_000), 9000, 12_000],
    ['jpeg', fixtures.jpeg(4032, 3024), 4032, 3024],
  ])('reads the size of a %s', (format, bytes, width, height) => {
    expect(inspectAttachment(bytes)).toEqual({ kind: 'image', format, width, height, bytes: bytes.length });
  });

  it('finds a JPEG frame header behind 300 KB of metadata segments, also from base64', () => {
    const bytes = fixtures.jpeg(2048, 1536, 300_000);
    expect(inspectAttachment(bytes)).toMatchObject({ width: 2048, height: 1536 });
    expect(inspectAttachment(base64(bytes))).toMatchObject({ width: 2048, height: 1536, bytes: bytes.length });
  });

  it('accepts data URLs and URL-safe, wrapped base64', () => {
    const bytes = fixtures.png(600, 400);
    const wrapped = base64(bytes).replace(/.{76}/g, '$&\n');
    expect(inspectAttachment(`data:image/png;base64,${base64(bytes)}`)).toMatchObject({ width: 600, height: 400 });
    expect(inspectAttachment(wrapped)).toMatchObject({ width: 600, height: 400, bytes: bytes.length });
    expect(inspectAttachment(Buffer.from(bytes).toString('base64url'))).toMatchObject({
      width: 600,
      bytes: bytes.length,
    });
  });

  it('knows HEIC and AVIF but not their size', () => {
    const heic = Uint8Array.from([0, 0, 0, 24, ...Buffer.from('ftypheic'), 0, 0, 0, 0, ...Buffer.from('mif1heic')]);
    const avif = Uint8Array.from([0, 0, 0, 20, ...Buffer.from('ftypavif'), 0, 0, 0, 0, ...Buffer.from('mif1')]);
    expect(inspectAttachment(heic)).toEqual({ kind: 'image', format: 'heic', bytes: heic.length });
    expect(inspectAttachment(avif)).toEqual({ kind: 'image', format: 'avif', bytes: avif.length });
  });

  it('gives no size for a JPEG cut before its frame header rather than a wrong one', () => {
    const bytes = fixtures.jpeg(800, 600, 70_000).subarray(0, 50_000);
    expect(inspectAttachment(bytes)).toEqual({ kind: 'image', format: 'jpeg', bytes: 50_000 });
  });

  it('answers undefined for an http URL or a file id, which carry no bytes', () => {
    expect(inspectAttachment('https://example.com/cat.png')).toBeUndefined();
    expect(inspectAttachment('file-abc123!')).toBeUndefined();
    expect(inspectAttachment('')).toBeUndefined();
  });
});

describe('inspectAttachment: PDF', () => {
  it.each([1, 3, 100])('counts %i uncompressed pages', (pages) => {
    expect(inspectAttachment(fixtures.pdf(pages))).toMatchObject({ kind: 'pdf', pages });
  });

  it('counts pages that live only in a compressed object stream, also from a data URL', () => {
    const bytes = fixtures.pdfWithObjectStream(42);
    expect(inspectAttachment(bytes)).toMatchObject({ kind: 'pdf', pages: 42 });
    expect(inspectAttachment(`data:application/pdf;base64,${base64(bytes)}`)).toMatchObject({ pages: 42 });
  });

  it('keeps the larger of the page tree count and the page objects when they disagree', () => {
    expect(inspectAttachment(fixtures.pdf(5, { statedCount: 1 }))).toMatchObject({ pages: 5 });
    expect(inspectAttachment(fixtures.pdf(2, { statedCount: 150 }))).toMatchObject({ pages: 150 });
    expect(inspectAttachment(fixtures.pdfWithObjectStream(3, { statedCount: 30 }))).toMatchObject({ pages: 30 });
  });

  it('does not count /Pages nodes as pages', () => {
    const text =
      '%PDF-1.4\n1 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 >>\nendobj\n2 0 obj\n<< /Type /Page >>\nendobj\n';
    expect(inspectAttachment(Buffer.from(text, 'latin1'))).toMatchObject({ pages: 1 });
  });

  it('reports unknown pages past the inflation limit instead of a possible undercount (zip bomb)', () => {
    const bomb = deflateSync(new Uint8Array(8 * 1024 * 1024));
    const bytes = Buffer.concat([
      Buffer.from(`%PDF-1.5\n1 0 obj\n<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length ${bomb.length}>>\nstream\n`),
      bomb,
      Buffer.from('\nendstream\nendobj\n2 0 obj\n<</Type/Page>>\nendobj\n'),
    ]);
    const started = performance.now();
    expect(inspectAttachment(bytes, { inflatedByteLimit: 1024 * 1024 })).toEqual({ kind: 'pdf', bytes: bytes.length });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('reports unknown pages when an object stream uses a filter it cannot decode', () => {
    const text =
      '%PDF-1.5\n1 0 obj\n<</Type/ObjStm/N 1/First 4/Filter/LZWDecode/Length 3>>\nstream\nabc\nendstream\nendobj\n';
    expect(inspectAttachment(Buffer.from(`${text}2 0 obj\n<</Type/Page>>\nendobj\n`))).toEqual({
      kind: 'pdf',
      bytes: text.length + 30,
    });
  });

  it('reports unknown pages for a PDF header with no page tree', () => {
    expect(inspectAttachment(Buffer.from('%PDF-1.7\n%%EOF\n'))).toEqual({ kind: 'pdf', bytes: 15 });
  });
});

describe('inspectAttachment: audio', () => {
  it('reads the exact length of a PCM WAV', () => {
    const bytes = fixtures.wav(2.5, 16_000, 2);
    expect(inspectAttachment(bytes)).toEqual({
      kind: 'audio',
      format: 'wav',
      seconds: 2.5,
      exact: true,
      bytes: bytes.length,
    });
  });

  it('never lets a WAV header claim more audio than the bytes hold', () => {
    const bytes = fixtures.wav(10).subarray(0, 44 + 32_000);
    expect(inspectAttachment(bytes)).toMatchObject({ seconds: 1, exact: true });
  });

  it('reads an MP3 length from its Xing frame count, behind a large ID3 tag', () => {
    const bytes = fixtures.mp3(10, { xingFrames: 1000, id3Bytes: 200_000 });
    const info = inspectAttachment(bytes);
    expect(info).toMatchObject({ kind: 'audio', format: 'mp3', exact: true });
    expect(info?.kind === 'audio' && info.seconds).toBeCloseTo((1000 * 1152) / 44_100, 6);
  });

  it('bounds a header-less CBR MP3 by its bitrate and flags it as not exact', () => {
    const bytes = fixtures.mp3(383); // 383 frames of 1152 samples at 44.1 kHz: 10.004 s
    const info = inspectAttachment(bytes);
    expect(info).toMatchObject({ format: 'mp3', exact: false });
    expect(info?.kind === 'audio' && info.seconds).toBeGreaterThanOrEqual(10);
    expect(info?.kind === 'audio' && info.seconds).toBeLessThan(10.1);
  });

  it('reads FLAC STREAMINFO and the last Ogg Vorbis granule exactly', () => {
    expect(inspectAttachment(fixtures.flac(48_000 * 7, 48_000))).toMatchObject({
      format: 'flac',
      seconds: 7,
      exact: true,
    });
    const ogg = fixtures.oggVorbis(44_100 * 4, 44_100);
    expect(inspectAttachment(ogg)).toMatchObject({ format: 'ogg', seconds: 4, exact: true });
    expect(inspectAttachment(base64(ogg))).toMatchObject({ format: 'ogg', seconds: 4, exact: true });
  });

  it('bounds audio of an unparsed layout from its byte length at 6 kbit/s', () => {
    const m4a = new Uint8Array(75_000);
    m4a.set([0, 0, 0, 20, ...Buffer.from('ftypM4A ')]);
    expect(inspectAttachment(m4a)).toEqual({ kind: 'audio', format: 'm4a', seconds: 100, exact: false, bytes: 75_000 });
  });
});

describe('inspectAttachment: robustness', () => {
  it('calls anything else unknown, with its decoded size', () => {
    expect(inspectAttachment(new Uint8Array([1, 2, 3]))).toEqual({ kind: 'unknown', bytes: 3 });
    expect(inspectAttachment('AAEC')).toEqual({ kind: 'unknown', bytes: 3 });
  });

  it('never throws or stalls on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        const started = performance.now();
        const info = inspectAttachment(bytes);
        // A hang or a blow-up, not a busy machine: a parse of these small files takes microseconds.
        expect(performance.now() - started).toBeLessThan(500);
        expect(info?.bytes).toBe(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  const realFiles: readonly [string, Uint8Array][] = [
    ['png', fixtures.png(300, 200)],
    ['jpeg', fixtures.jpeg(640, 480, 1000)],
    ['gif', fixtures.gif(10, 10)],
    ['webp', fixtures.webpLossy(50, 60)],
    ['webp lossless', fixtures.webpLossless(50, 60)],
    ['webp extended', fixtures.webpExtended(50, 60)],
    ['pdf', fixtures.pdf(4)],
    ['pdf object stream', fixtures.pdfWithObjectStream(4)],
    ['wav', fixtures.wav(0.5)],
    ['mp3', fixtures.mp3(20, { xingFrames: 20 })],
    ['flac', fixtures.flac(1000, 8000)],
    ['ogg', fixtures.oggVorbis(1000, 8000)],
  ];

  it.each(realFiles)('never throws on a truncated or corrupted %s, and keeps its numbers finite', (_, file) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: file.length }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        (length, flips) => {
          const bytes = file.slice(0, length);
          for (const [position, value] of flips) if (bytes.length > 0) bytes[position % bytes.length] = value;
          const started = performance.now();
          const info = inspectAttachment(bytes);
          const fromBase64 = inspectAttachment(base64(bytes));
          // A hang or a blow-up, not a busy machine: a parse of these small files takes microseconds.
          expect(performance.now() - started).toBeLessThan(500);
          for (const result of [info, fromBase64]) {
            for (const value of Object.values(result ?? {})) {
              if (typeof value === 'number') expect(Number.isFinite(value) && value >= 0).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays linear on adversarial PDF text full of object headers and no endobj', () => {
    const adversarial = (repeats: number) => Buffer.from(`%PDF-1.4\n${'1 0 obj << /Type /Page '.repeat(repeats)}`);
    // A ratio of the best of three runs, not a wall-clock limit: a loaded machine slows both sizes alike,
    // while quadratic work would make 10× the input cost 100× the time.
    const bestMs = (bytes: Buffer) => {
      let best = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 3; run += 1) {
        const started = performance.now();
        expect(inspectAttachment(bytes)).toMatchObject({ kind: 'pdf', pages: 1 });
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    const small = bestMs(adversarial(10_000));
    const large = bestMs(adversarial(100_000));
    expect(large / Math.max(small, 0.5)).toBeLessThan(30);
  });
});
