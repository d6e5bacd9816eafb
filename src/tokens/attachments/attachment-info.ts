/**
 * What the bytes of one attachment say about its size, as far as the token formulas of the providers need it.
 * Fields are absent (not zero) when they could not be read, so a formula can never mistake "unknown" for "small".
 */
export type AttachmentInfo = ImageInfo | PdfInfo | AudioInfo | UnknownInfo;

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'heic' | 'avif';

export interface ImageInfo {
  readonly kind: 'image';
  readonly format: ImageFormat;
  /** Pixels; absent when the header could not be read (HEIC/AVIF, truncated or odd files). */
  readonly width?: number;
  readonly height?: number;
  readonly bytes: number;
}

export interface PdfInfo {
  readonly kind: 'pdf';
  /** Absent when the page count cannot be known (encrypted, unsupported filter, inflation cap reached, no page tree). */
  readonly pages?: number;
  readonly bytes: number;
}

export type AudioFormat = 'wav' | 'mp3' | 'flac' | 'ogg' | 'aiff' | 'aac' | 'm4a';

export interface AudioInfo {
  readonly kind: 'audio';
  readonly format: AudioFormat;
  /** An upper bound of the playing time. */
  readonly seconds: number;
  /** True when the header states the length (sample counts, data size over byte rate); false when it is a bound from the byte length. */
  readonly exact: boolean;
  readonly bytes: number;
}

export interface UnknownInfo {
  readonly kind: 'unknown';
  readonly bytes: number;
}
