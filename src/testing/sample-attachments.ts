import { deflateSync } from 'node:zlib';

/**
 * Real, minimal files built byte by byte — images, PDFs, audio — for tests of attachment bounds (ours and
 * users'): each parser is checked against the format, not against whatever a generator happened to emit.
 * The demo sends its PDFs from here too.
 */
export const sampleAttachments = {
  png(width: number, height: number): Uint8Array {
    const header = new Uint8Array(13);
    const view = new DataView(header.buffer);
    view.setUint32(0, width);
    view.setUint32(4, height);
    header.set([8, 2, 0, 0, 0], 8); // 8-bit truecolour, no interlace
    // Real pixel data only for small images; the parser never reads past IHDR, and big ones would slow the tests.
    const pixels =
      width * height <= 256 * 256 ? deflateSync(new Uint8Array((width * 3 + 1) * height)) : new Uint8Array();
    return concat(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      pngChunk('IHDR', header),
      pngChunk('IDAT', pixels),
      pngChunk('IEND', new Uint8Array()),
    );
  },

  gif(width: number, height: number): Uint8Array {
    return concat(ascii('GIF89a'), uint16LittleEndian(width), uint16LittleEndian(height), [0, 0, 0], [0x3b]);
  },

  webpLossy(width: number, height: number): Uint8Array {
    const frame = concat(
      [0x10, 0x02, 0x00],
      [0x9d, 0x01, 0x2a],
      uint16LittleEndian(width),
      uint16LittleEndian(height),
      new Uint8Array(10),
    );
    return riff('WEBP', concat(ascii('VP8 '), uint32LittleEndian(frame.length), frame));
  },

  webpLossless(width: number, height: number): Uint8Array {
    const packed = ((width - 1) | ((height - 1) << 14)) >>> 0;
    const data = concat([0x2f], uint32LittleEndian(packed), new Uint8Array(5));
    return riff('WEBP', concat(ascii('VP8L'), uint32LittleEndian(data.length), data));
  },

  webpExtended(width: number, height: number): Uint8Array {
    const data = concat([0x10, 0, 0, 0], uint24LittleEndian(width - 1), uint24LittleEndian(height - 1));
    return riff('WEBP', concat(ascii('VP8X'), uint32LittleEndian(data.length), data));
  },

  /** A progressive JPEG whose frame header sits behind `metadataBytes` of APP segments, fill bytes and a TEM marker. */
  jpeg(width: number, height: number, metadataBytes = 0): Uint8Array {
    const parts: (Uint8Array | number[])[] = [
      [0xff, 0xd8],
      jpegSegment(0xe0, concat(ascii('JFIF\0'), [1, 1, 0, 0, 1, 0, 1, 0, 0])),
    ];
    for (let remaining = metadataBytes; remaining > 0; remaining -= 65_000) {
      parts.push(jpegSegment(0xe1, new Uint8Array(Math.min(remaining, 65_000)).fill(0xff)));
    }
    parts.push([0xff, 0x01]); // TEM: a marker without a length field
    parts.push([0xff, 0xff, 0xff]); // fill bytes before the next marker
    const frame = concat([8], uint16BigEndian(height), uint16BigEndian(width), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    parts.push(jpegSegment(0xc2, frame));
    parts.push(jpegSegment(0xc4, new Uint8Array(20)));
    parts.push(jpegSegment(0xda, new Uint8Array([1, 1, 0, 0, 63, 0])));
    parts.push([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]);
    return concat(...parts);
  },

  /** A classic PDF with one uncompressed object per page. */
  pdf(pages: number, options: { readonly statedCount?: number } = {}): Uint8Array {
    const kids = Array.from({ length: pages }, (_, index) => `${index + 3} 0 R`).join(' ');
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      `<< /Type /Pages /Kids [${kids}] /Count ${options.statedCount ?? pages} >>`,
      ...Array.from({ length: pages }, () => '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>'),
    ];
    return pdfFile(objects.map((body, index) => `${index + 1} 0 obj\n${body}\nendobj\n`).join(''));
  },

  /** A PDF 1.5 file whose page tree and pages live only inside a FlateDecode object stream. */
  pdfWithObjectStream(pages: number, options: { readonly statedCount?: number } = {}): Uint8Array {
    const kids = Array.from({ length: pages }, (_, index) => `${index + 3} 0 R`).join(' ');
    const bodies = [
      '<</Type/Catalog/Pages 2 0 R>>',
      `<</Type/Pages/Kids[${kids}]/Count ${options.statedCount ?? pages}>>`,
      ...Array.from({ length: pages }, () => '<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>'),
    ];
    const offsets: number[] = [];
    let content = '';
    for (const body of bodies) {
      offsets.push(content.length);
      content += `${body}\n`;
    }
    const header = bodies.map((_, index) => `${index + 1} ${offsets[index]}`).join(' ');
    const decoded = ascii(`${header}\n${content}`);
    const compressed = deflateSync(decoded);
    const first = header.length + 1;
    const streamObject = concat(
      ascii(
        `${bodies.length + 1} 0 obj\n<</Type/ObjStm/N ${bodies.length}/First ${first}/Filter/FlateDecode/Length ${compressed.length}>>\nstream\n`,
      ),
      compressed,
      ascii('\nendstream\nendobj\n'),
    );
    return concat(ascii('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n'), streamObject, ascii('trailer\n<</Root 1 0 R>>\n%%EOF\n'));
  },

  /** Linear PCM; the samples are silence but really present, as a provider would decode them. */
  wav(seconds: number, sampleRate = 16_000, channels = 1, bitsPerSample = 16): Uint8Array {
    const blockAlign = (channels * bitsPerSample) / 8;
    const dataBytes = Math.round(seconds * sampleRate) * blockAlign;
    const format = concat(
      uint16LittleEndian(1),
      uint16LittleEndian(channels),
      uint32LittleEndian(sampleRate),
      uint32LittleEndian(sampleRate * blockAlign),
      uint16LittleEndian(blockAlign),
      uint16LittleEndian(bitsPerSample),
    );
    return riff(
      'WAVE',
      concat(
        ascii('fmt '),
        uint32LittleEndian(format.length),
        format,
        ascii('data'),
        uint32LittleEndian(dataBytes),
        new Uint8Array(dataBytes),
      ),
    );
  },

  /** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz stereo frames, optionally led by a Xing frame stating the frame count. */
  mp3(frames: number, options: { readonly xingFrames?: number; readonly id3Bytes?: number } = {}): Uint8Array {
    const header = [0xff, 0xfb, 0x90, 0x00];
    const frameLength = Math.floor((144 * 128_000) / 44_100);
    const frame = concat(header, new Uint8Array(frameLength - 4));
    const parts: Uint8Array[] = [];
    if (options.id3Bytes !== undefined) {
      const size = options.id3Bytes;
      const syncSafe = [(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f];
      parts.push(concat(ascii('ID3'), [4, 0, 0], syncSafe, new Uint8Array(size)));
    }
    if (options.xingFrames !== undefined) {
      const xing = concat(
        header,
        new Uint8Array(32),
        ascii('Xing'),
        uint32BigEndian(1),
        uint32BigEndian(options.xingFrames),
      );
      parts.push(concat(xing, new Uint8Array(frameLength - xing.length)));
    }
    for (let index = 0; index < frames; index += 1) parts.push(frame);
    return concat(...parts);
  },

  flac(totalSamples: number, sampleRate: number): Uint8Array {
    const info = new Uint8Array(34);
    info.set(uint16BigEndian(4096), 0);
    info.set(uint16BigEndian(4096), 2);
    // 20 bits sample rate, 3 bits channels-1 (stereo), 5 bits bits-per-sample-1 (16), 36 bits total samples.
    const packed = sampleRate * 0x1000 + (1 << 9) + (15 << 4) + Math.floor(totalSamples / 0x1_0000_0000);
    info.set(uint32BigEndian(packed), 10);
    info.set(uint32BigEndian(totalSamples % 0x1_0000_0000), 14);
    return concat(ascii('fLaC'), [0x80, 0, 0, 34], info, new Uint8Array(64));
  },

  oggVorbis(totalSamples: number, sampleRate: number): Uint8Array {
    const identification = concat(
      [0x01],
      ascii('vorbis'),
      uint32LittleEndian(0),
      [2],
      uint32LittleEndian(sampleRate),
      new Uint8Array(13),
    );
    const firstPage = oggPage(0, identification, 0x02);
    const middle = oggPage(Math.floor(totalSamples / 2), new Uint8Array(4000), 0);
    const last = oggPage(totalSamples, new Uint8Array(3000), 0x04);
    return concat(firstPage, middle, last);
  },
};

function oggPage(granule: number, packet: Uint8Array, flags: number): Uint8Array {
  const segments: number[] = [];
  for (let remaining = packet.length; remaining >= 0; remaining -= 255) segments.push(Math.min(255, remaining));
  const granuleBytes = concat(
    uint32LittleEndian(granule % 0x1_0000_0000),
    uint32LittleEndian(Math.floor(granule / 0x1_0000_0000)),
  );
  return concat(
    ascii('OggS'),
    [0, flags],
    granuleBytes,
    uint32LittleEndian(1),
    uint32LittleEndian(0),
    uint32LittleEndian(0),
    [segments.length],
    segments,
    packet,
  );
}

function pdfFile(objects: string): Uint8Array {
  return ascii(`%PDF-1.4\n${objects}trailer\n<< /Root 1 0 R >>\n%%EOF\n`);
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const typeBytes = ascii(type);
  return concat(uint32BigEndian(data.length), typeBytes, data, uint32BigEndian(crc32(concat(typeBytes, data))));
}

function jpegSegment(marker: number, data: Uint8Array): Uint8Array {
  return concat([0xff, marker], uint16BigEndian(data.length + 2), data);
}

function riff(form: string, chunks: Uint8Array): Uint8Array {
  return concat(ascii('RIFF'), uint32LittleEndian(chunks.length + 4), ascii(form), chunks);
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0) & 0xff);
}

function uint16LittleEndian(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff];
}

function uint24LittleEndian(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff];
}

function uint32LittleEndian(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function uint16BigEndian(value: number): number[] {
  return [(value >>> 8) & 0xff, value & 0xff];
}

function uint32BigEndian(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function concat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const output = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    output.set(part, offset);
    offset += part.length;
  }
  return output;
}
