/**
 * Bounds-checked reads over untrusted bytes: every read past the end answers undefined instead of NaN or an
 * exception, so a truncated header turns into "unknown" at the call site rather than into a bogus number.
 */
export class ByteView {
  constructor(readonly bytes: Uint8Array) {}

  get length(): number {
    return this.bytes.length;
  }

  uint8(offset: number): number | undefined {
    return this.bytes[offset];
  }

  uint16BigEndian(offset: number): number | undefined {
    const high = this.bytes[offset];
    const low = this.bytes[offset + 1];
    return high === undefined || low === undefined ? undefined : high * 0x100 + low;
  }

  uint16LittleEndian(offset: number): number | undefined {
    const low = this.bytes[offset];
    const high = this.bytes[offset + 1];
    return high === undefined || low === undefined ? undefined : high * 0x100 + low;
  }

  uint24LittleEndian(offset: number): number | undefined {
    const low = this.uint16LittleEndian(offset);
    const high = this.bytes[offset + 2];
    return low === undefined || high === undefined ? undefined : high * 0x10000 + low;
  }

  uint32BigEndian(offset: number): number | undefined {
    const high = this.uint16BigEndian(offset);
    const low = this.uint16BigEndian(offset + 2);
    return high === undefined || low === undefined ? undefined : high * 0x10000 + low;
  }

  uint32LittleEndian(offset: number): number | undefined {
    const low = this.uint16LittleEndian(offset);
    const high = this.uint16LittleEndian(offset + 2);
    return low === undefined || high === undefined ? undefined : high * 0x10000 + low;
  }

  /** Exact below 2^53, which covers every sample count a real file can hold. */
  uint64LittleEndian(offset: number): number | undefined {
    const low = this.uint32LittleEndian(offset);
    const high = this.uint32LittleEndian(offset + 4);
    return low === undefined || high === undefined ? undefined : high * 0x1_0000_0000 + low;
  }

  ascii(offset: number, length: number): string | undefined {
    if (offset < 0 || offset + length > this.bytes.length) return undefined;
    return String.fromCharCode(...this.bytes.subarray(offset, offset + length));
  }

  startsWith(offset: number, expected: readonly number[]): boolean {
    return expected.every((value, index) => this.bytes[offset + index] === value);
  }
}
