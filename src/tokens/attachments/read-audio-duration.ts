import type { AudioFormat } from './attachment-info.js';
import { ByteView } from './byte-view.js';

export interface AudioDuration {
  readonly format: AudioFormat;
  /** An upper bound of the playing time in seconds. */
  readonly seconds: number;
  readonly exact: boolean;
}

/**
 * The slowest bitrate a supported codec plausibly runs at (Opus goes down to 6 kbit/s); a file of unknown layout
 * cannot play longer than its bytes last at that rate.
 */
const slowestBitsPerSecond = 6000;

/**
 * Reads the playing time of an audio file from its header: `head` is the first bytes, `tail` the last ones (only Ogg
 * needs it), `totalBytes` the full length. Returns undefined when the bytes are not audio it recognises.
 */
export function readAudioDuration(head: Uint8Array, tail: Uint8Array, totalBytes: number): AudioDuration | undefined {
  const bytes = new ByteView(head);
  const riff = bytes.ascii(0, 4);
  if ((riff === 'RIFF' || riff === 'RF64') && bytes.ascii(8, 4) === 'WAVE') return wavDuration(bytes, totalBytes);
  if (bytes.ascii(0, 4) === 'fLaC') return flacDuration(bytes, totalBytes);
  if (bytes.ascii(0, 4) === 'OggS') return oggDuration(bytes, new ByteView(tail), totalBytes);
  if (bytes.ascii(0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(bytes.ascii(8, 4) ?? '')) {
    return aiffDuration(bytes, totalBytes);
  }
  if (bytes.ascii(0, 3) === 'ID3' || isMpegFrameHeader(bytes, 0)) return mp3Duration(bytes, totalBytes);
  if (bytes.uint8(0) === 0xff && ((bytes.uint8(1) ?? 0) & 0xf6) === 0xf0) return byteLengthBound('aac', totalBytes);
  // Only the audio-only brands: an `isom` or WebM file may carry video, which costs far more per second than audio.
  if (bytes.ascii(4, 4) === 'ftyp' && ['M4A ', 'M4B '].includes(bytes.ascii(8, 4) ?? '')) {
    return byteLengthBound('m4a', totalBytes);
  }
  return undefined;
}

function byteLengthBound(format: AudioFormat, totalBytes: number): AudioDuration {
  return { format, seconds: (totalBytes * 8) / slowestBitsPerSecond, exact: false };
}

function wavDuration(bytes: ByteView, totalBytes: number): AudioDuration {
  let byteRate: number | undefined;
  let linearPcm = false;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.ascii(offset, 4);
    const size = bytes.uint32LittleEndian(offset + 4) ?? 0;
    if (id === 'fmt ') {
      const audioFormat = bytes.uint16LittleEndian(offset + 8);
      byteRate = bytes.uint32LittleEndian(offset + 16);
      // PCM, IEEE float and extensible have a constant byte rate; compressed codecs only state an average.
      linearPcm = audioFormat === 1 || audioFormat === 3 || audioFormat === 0xfffe;
    } else if (id === 'data') {
      const available = Math.max(0, totalBytes - (offset + 8));
      // Streaming writers leave the size at 0 or 0xFFFFFFFF; the bytes present are what the provider decodes.
      const dataBytes = size === 0 || size === 0xffffffff ? available : Math.min(size, available);
      if (byteRate === undefined || byteRate === 0) return byteLengthBound('wav', totalBytes);
      return { format: 'wav', seconds: dataBytes / byteRate, exact: linearPcm };
    }
    offset += 8 + size + (size % 2);
  }
  return byteLengthBound('wav', totalBytes);
}

function flacDuration(bytes: ByteView, totalBytes: number): AudioDuration {
  // The first metadata block is always STREAMINFO: 20 bits of sample rate and 36 of total samples at byte 18.
  const blockType = (bytes.uint8(4) ?? 0xff) & 0x7f;
  const packed = bytes.uint32BigEndian(18);
  const lowSamples = bytes.uint32BigEndian(22);
  if (blockType !== 0 || packed === undefined || lowSamples === undefined) return byteLengthBound('flac', totalBytes);
  const sampleRate = Math.floor(packed / 0x1000);
  const totalSamples = (packed % 0x10) * 0x1_0000_0000 + lowSamples;
  if (sampleRate === 0 || totalSamples === 0) return byteLengthBound('flac', totalBytes);
  return { format: 'flac', seconds: totalSamples / sampleRate, exact: true };
}

function oggDuration(head: ByteView, tail: ByteView, totalBytes: number): AudioDuration {
  const sampleRate = oggSampleRate(head);
  const granule = lastGranulePosition(tail);
  if (sampleRate === undefined || granule === undefined || granule <= 0) return byteLengthBound('ogg', totalBytes);
  return { format: 'ogg', seconds: granule / sampleRate, exact: true };
}

/** The identification header sits in the first page, after the 27-byte page header and its segment table. */
function oggSampleRate(bytes: ByteView): number | undefined {
  const segments = bytes.uint8(26);
  if (segments === undefined) return undefined;
  const packet = 27 + segments;
  if (bytes.uint8(packet) === 0x01 && bytes.ascii(packet + 1, 6) === 'vorbis') {
    const rate = bytes.uint32LittleEndian(packet + 12);
    return rate === 0 ? undefined : rate;
  }
  // Opus granule positions always count 48 kHz samples, whatever the input rate was.
  if (bytes.ascii(packet, 8) === 'OpusHead') return 48_000;
  return undefined;
}

function lastGranulePosition(bytes: ByteView): number | undefined {
  for (let offset = bytes.length - 27; offset >= 0; offset -= 1) {
    if (bytes.uint8(offset) !== 0x4f || bytes.ascii(offset, 4) !== 'OggS') continue;
    const granule = bytes.uint64LittleEndian(offset + 6);
    // All ones marks a page on which no packet ends; keep looking further back.
    if (granule !== undefined && bytes.uint32LittleEndian(offset + 6) !== 0xffffffff) return granule;
  }
  return undefined;
}

function aiffDuration(bytes: ByteView, totalBytes: number): AudioDuration {
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.ascii(offset, 4);
    const size = bytes.uint32BigEndian(offset + 4) ?? 0;
    if (id === 'COMM') {
      const frames = bytes.uint32BigEndian(offset + 10);
      const rate = extendedFloat(bytes, offset + 16);
      if (frames === undefined || rate === undefined || rate <= 0) break;
      return { format: 'aiff', seconds: frames / rate, exact: true };
    }
    offset += 8 + size + (size % 2);
  }
  return byteLengthBound('aiff', totalBytes);
}

/** The 80-bit IEEE 754 extended float AIFF stores its sample rate in. */
function extendedFloat(bytes: ByteView, offset: number): number | undefined {
  const signAndExponent = bytes.uint16BigEndian(offset);
  const mantissaHigh = bytes.uint32BigEndian(offset + 2);
  const mantissaLow = bytes.uint32BigEndian(offset + 6);
  if (signAndExponent === undefined || mantissaHigh === undefined || mantissaLow === undefined) return undefined;
  if (signAndExponent & 0x8000) return undefined;
  const exponent = (signAndExponent & 0x7fff) - 16383 - 63;
  const value = (mantissaHigh * 0x1_0000_0000 + mantissaLow) * 2 ** exponent;
  return Number.isFinite(value) ? value : undefined;
}

/** Kilobits per second by [MPEG-1 ? 0 : 1][layer 1..3][index]. */
const mpegBitrates: readonly (readonly (readonly number[])[])[] = [
  [
    [],
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];
const mpegSampleRates: Readonly<Record<number, readonly number[]>> = {
  3: [44_100, 48_000, 32_000],
  2: [22_050, 24_000, 16_000],
  0: [11_025, 12_000, 8_000],
};

interface MpegFrame {
  readonly bitsPerSecond: number;
  readonly sampleRate: number;
  readonly samplesPerFrame: number;
  readonly length: number;
  /** Bytes per second of audio, from the frame length without its padding byte: never above the true rate. */
  readonly bytesPerSecond: number;
  readonly mpeg1: boolean;
  readonly mono: boolean;
}

function mpegFrame(bytes: ByteView, offset: number): MpegFrame | undefined {
  const header = bytes.uint32BigEndian(offset);
  if (header === undefined || header >>> 21 !== 0x7ff) return undefined;
  const version = (header >>> 19) & 0b11; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
  const layerBits = (header >>> 17) & 0b11;
  const bitrateIndex = (header >>> 12) & 0b1111;
  const sampleRateIndex = (header >>> 10) & 0b11;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || sampleRateIndex === 3) {
    return undefined;
  }
  const layer = 4 - layerBits;
  const mpeg1 = version === 3;
  const kilobits = mpegBitrates[mpeg1 ? 0 : 1]?.[layer]?.[bitrateIndex];
  const sampleRate = mpegSampleRates[version]?.[sampleRateIndex];
  if (kilobits === undefined || sampleRate === undefined) return undefined;
  const padding = (header >>> 9) & 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && !mpeg1 ? 576 : 1152;
  const bitsPerSecond = kilobits * 1000;
  const unpaddedLength =
    layer === 1
      ? Math.floor((12 * bitsPerSecond) / sampleRate) * 4
      : Math.floor(((samplesPerFrame / 8) * bitsPerSecond) / sampleRate);
  const length = unpaddedLength + (layer === 1 ? padding * 4 : padding);
  const bytesPerSecond = (unpaddedLength * sampleRate) / samplesPerFrame;
  return {
    bitsPerSecond,
    sampleRate,
    samplesPerFrame,
    length,
    bytesPerSecond,
    mpeg1,
    mono: ((header >>> 6) & 0b11) === 3,
  };
}

function isMpegFrameHeader(bytes: ByteView, offset: number): boolean {
  return mpegFrame(bytes, offset) !== undefined;
}

/** Frames walked to judge whether a header-less MP3 keeps one bitrate. */
const framesSampled = 256;

/**
 * An MP3 states its length only in a Xing/Info or VBRI header, which is then exact. Without one, the bitrate of the
 * frames in reach is taken at its lowest, since a later stretch at a lower rate would play longer per byte; that is
 * an estimate, not a proof, so it is flagged so.
 */
function mp3Duration(bytes: ByteView, totalBytes: number): AudioDuration {
  let start = 0;
  if (bytes.ascii(0, 3) === 'ID3') {
    const size = syncSafe(bytes, 6);
    const footer = ((bytes.uint8(5) ?? 0) & 0x10) !== 0 ? 10 : 0;
    if (size === undefined) return byteLengthBound('mp3', totalBytes);
    start = 10 + size + footer;
  }
  let first: MpegFrame | undefined;
  const searchEnd = Math.min(bytes.length, start + 64 * 1024);
  for (; start < searchEnd; start += 1) {
    first = mpegFrame(bytes, start);
    if (first !== undefined) break;
  }
  if (first === undefined) return byteLengthBound('mp3', totalBytes);

  const sideInformation = first.mpeg1 ? (first.mono ? 17 : 32) : first.mono ? 9 : 17;
  const xing = start + 4 + sideInformation;
  const tag = bytes.ascii(xing, 4);
  if ((tag === 'Xing' || tag === 'Info') && ((bytes.uint32BigEndian(xing + 4) ?? 0) & 1) === 1) {
    const frames = bytes.uint32BigEndian(xing + 8);
    if (frames !== undefined && frames > 0) {
      return { format: 'mp3', seconds: (frames * first.samplesPerFrame) / first.sampleRate, exact: true };
    }
  }
  if (bytes.ascii(start + 36, 4) === 'VBRI') {
    const frames = bytes.uint32BigEndian(start + 36 + 14);
    if (frames !== undefined && frames > 0) {
      return { format: 'mp3', seconds: (frames * first.samplesPerFrame) / first.sampleRate, exact: true };
    }
  }

  let slowest = first.bytesPerSecond;
  let offset = start;
  for (let count = 0; count < framesSampled; count += 1) {
    const frame = mpegFrame(bytes, offset);
    if (frame === undefined || frame.length <= 0) break;
    slowest = Math.min(slowest, frame.bytesPerSecond);
    offset += frame.length;
  }
  if (slowest <= 0) return byteLengthBound('mp3', totalBytes);
  const audioBytes = Math.max(0, totalBytes - start);
  return { format: 'mp3', seconds: audioBytes / slowest, exact: false };
}

function syncSafe(bytes: ByteView, offset: number): number | undefined {
  let value = 0;
  for (let index = 0; index < 4; index += 1) {
    const byte = bytes.uint8(offset + index);
    if (byte === undefined || byte & 0x80) return undefined;
    value = value * 128 + byte;
  }
  return value;
}
