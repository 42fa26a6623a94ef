/** The types of snappyjs's compressor module (the package has none). */
export declare class SnappyCompressor {
  constructor(uncompressed: Uint8Array);
  /** The most bytes `compressToBuffer` may write. */
  maxCompressedLength(): number;
  /** Writes the raw snappy block (length, then fragments) into `out`; returns its length. */
  compressToBuffer(out: Uint8Array): number;
}
