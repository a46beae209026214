import { corrupt } from '../../application/ports/codecSupport';

/** One zstd frame found by {@link inspectZstdFrames}, located without decoding anything. */
export interface ZstdFrameInfo {
  /** Byte offset of the frame in the input, and its length in bytes. */
  readonly offset: number;
  readonly length: number;
  /** Skippable frames carry no content; decoders step over them. */
  readonly skippable: boolean;
  /** Content size from the frame header, or null when the header does not declare it. */
  readonly contentSize: number | null;
  /** An upper bound on the decoded size, from the block headers (exact for raw and RLE blocks). */
  readonly maxContentSize: number;
  /** The decoder's window (history buffer) size for this frame, in bytes. */
  readonly windowSize: number;
  /**
   * Absolute offsets where each block ends (the last one after the checksum), so the frame can be fed to a
   * decoder one block at a time: each piece then decodes to at most one block.
   */
  readonly blockEnds: readonly number[];
}

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MIN = 0x184d2a50;
const SKIPPABLE_MAGIC_MAX = 0x184d2a5f;
/** The largest block zstd writes or accepts (Block_Maximum_Size is at most 128 KiB). */
const MAX_BLOCK_BYTES = 128 * 1024;

/**
 * Walk the frames and block headers of a zstd stream (RFC 8878) without decompressing it, so the decoded size
 * can be bounded before anything is inflated. Throws CODEC_FAILED for anything that is not a complete,
 * well-formed sequence of frames: bad magic, reserved bits, truncation, trailing bytes.
 */
export function inspectZstdFrames(data: Uint8Array): ZstdFrameInfo[] {
  if (data.length === 0) throw corrupt('the input is empty, not a zstd frame');
  const frames: ZstdFrameInfo[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (data.length - offset < 4) {
      throw corrupt(`${data.length - offset} stray bytes follow the last zstd frame at byte ${offset}`);
    }
    const magic = readUint(data, offset, 4);
    if (magic === FRAME_MAGIC) {
      frames.push(inspectDataFrame(data, offset));
    } else if (magic >= SKIPPABLE_MAGIC_MIN && magic <= SKIPPABLE_MAGIC_MAX) {
      need(data, offset + 8, offset, 'skippable frame header');
      const length = 8 + readUint(data, offset + 4, 4);
      need(data, offset + length, offset, 'skippable frame');
      frames.push({ offset, length, skippable: true, contentSize: 0, maxContentSize: 0, windowSize: 0, blockEnds: [] });
    } else {
      throw corrupt(`no zstd frame magic at byte ${offset} (found 0x${magic.toString(16).padStart(8, '0')})`);
    }
    offset += frames[frames.length - 1]!.length;
  }
  return frames;
}

function inspectDataFrame(data: Uint8Array, start: number): ZstdFrameInfo {
  let pos = start + 4;
  need(data, pos + 1, start, 'frame header');
  const descriptor = data[pos++]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const hasChecksum = (descriptor & 0x04) !== 0;
  const dictIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
  if ((descriptor & 0x08) !== 0) throw corrupt(`the reserved bit of the frame header at byte ${start} is set`);
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  need(data, pos + (singleSegment ? 0 : 1) + dictIdBytes + fcsBytes, start, 'frame header');

  let windowSize = 0;
  if (!singleSegment) {
    const windowDescriptor = data[pos++]!;
    const windowBase = 2 ** (10 + (windowDescriptor >> 3));
    windowSize = windowBase + (windowBase / 8) * (windowDescriptor & 0x07);
  }
  if (dictIdBytes > 0) {
    const dictId = readUint(data, pos, dictIdBytes);
    pos += dictIdBytes;
    if (dictId !== 0) throw corrupt(`the frame at byte ${start} needs zstd dictionary ${dictId}, and cairn never writes dictionaries`);
  }
  let contentSize: number | null = null;
  if (fcsBytes > 0) {
    contentSize = readUint(data, pos, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    pos += fcsBytes;
  }
  if (singleSegment) windowSize = contentSize ?? 0;

  const blockLimit = Math.min(windowSize, MAX_BLOCK_BYTES);
  let maxContentSize = 0;
  const blockEnds: number[] = [];
  for (let last = false; !last; ) {
    need(data, pos + 3, start, 'block header');
    const header = readUint(data, pos, 3);
    pos += 3;
    last = (header & 1) === 1;
    const type = (header >> 1) & 0x03;
    const size = header >> 3;
    if (type === 3) throw corrupt(`a block at byte ${pos - 3} has the reserved block type`);
    if (size > MAX_BLOCK_BYTES) throw corrupt(`a block at byte ${pos - 3} claims ${size} bytes, more than zstd's 131072`);
    const stored = type === 1 ? 1 : size; // an RLE block stores one byte, repeated `size` times
    need(data, pos + stored, start, 'block');
    pos += stored;
    blockEnds.push(pos);
    maxContentSize += type === 2 ? blockLimit : size;
  }
  if (hasChecksum) {
    need(data, pos + 4, start, 'content checksum');
    pos += 4;
    blockEnds[blockEnds.length - 1] = pos;
  }
  if (contentSize !== null && contentSize > maxContentSize) {
    throw corrupt(`the frame at byte ${start} declares ${contentSize} bytes but its blocks hold at most ${maxContentSize}`);
  }
  return { offset: start, length: pos - start, skippable: false, contentSize, maxContentSize, windowSize, blockEnds };
}

/** Little-endian unsigned integer of 1 to 8 bytes (exact up to 2^53, which is all that matters here). */
function readUint(data: Uint8Array, pos: number, bytes: number): number {
  let value = 0;
  for (let i = bytes - 1; i >= 0; i--) value = value * 256 + data[pos + i]!;
  return value;
}

function need(data: Uint8Array, end: number, frameStart: number, what: string): void {
  if (end > data.length) {
    throw corrupt(`it is truncated: the ${what} of the frame at byte ${frameStart} runs past the end of the ${data.length}-byte input`);
  }
}
