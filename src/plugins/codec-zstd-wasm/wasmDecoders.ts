import { CairnError } from '../../domain/errors';
import { beyondCodec, corrupt, tooLarge } from '../../application/ports/codecSupport';
import { concatBytes } from '../../domain/bytes';
import type { ZstdWasm } from './loadZstdWasm';
import type { ZstdFrameInfo } from './zstdFrames';

const MiB = 1024 * 1024;
/** Input plus output that ZSTD_decompress may hold at once on the 16 MiB wasm heap (measured limit ~10 MiB). */
const ONE_SHOT_HEAP_BYTES = 9 * MiB;
/** The largest window the streaming decoder fits next to its buffers (measured limit ~9.5 MiB; zstd -19 uses 8). */
export const MAX_WASM_WINDOW_BYTES = 8 * MiB;

/**
 * True when one frame declares a non-zero size and input plus output fit the heap: the fast path. (An empty
 * output vector has no buffer, which ZSTD_decompress refuses; empty frames take the streaming path.)
 */
export function fitsOneShot(data: Uint8Array, frames: readonly ZstdFrameInfo[]): boolean {
  const size = frames.length === 1 ? frames[0]!.contentSize : null;
  return size !== null && size > 0 && data.length + size <= ONE_SHOT_HEAP_BYTES;
}

/**
 * ZSTD_decompress into a buffer of exactly the declared size (checked against maxBytes by the caller), so the
 * output cannot outgrow it; a frame that decodes to any other size is corrupt.
 */
export function decodeOneShot({ module, codec }: ZstdWasm, data: Uint8Array, frame: ZstdFrameInfo): Uint8Array {
  const size = frame.contentSize!;
  const src = new module.VectorU8();
  const dest = new module.VectorU8();
  try {
    module.cloneToVector(src, data);
    dest.resize(size, 0);
    const decoded = codec.decompress(dest, src);
    if (decoded < 0) throw corrupt(`zstd rejected the frame of ${data.length} bytes`);
    if (decoded !== size) throw corrupt(`it decoded to ${decoded} bytes but its frame header declares ${size}`);
    return module.cloneAsTypedArray(dest);
  } finally {
    src.delete();
    dest.delete();
  }
}

/**
 * Feed the frames to the streaming decoder one block at a time and stop as soon as the output passes
 * `maxBytes`: at most one block is inflated past the limit, whatever the headers claim.
 */
export function decodeByBlocks({ module }: ZstdWasm, data: Uint8Array, frames: readonly ZstdFrameInfo[], maxBytes: number): Uint8Array {
  const window = Math.max(0, ...frames.map((frame) => frame.windowSize));
  if (window > MAX_WASM_WINDOW_BYTES) {
    throw beyondCodec(`zstd-wasm cannot decode a frame with a ${window}-byte window (its fixed 16 MiB wasm heap allows ${MAX_WASM_WINDOW_BYTES})`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const collect = (bytes: Uint8Array): void => {
    chunks.push(bytes);
    total += bytes.length;
  };
  const stream = new module.ZstdDecompressStreamBinding();
  try {
    if (!stream.begin()) throw new CairnError('CODEC_FAILED', 'zstd-wasm could not start a decoder');
    for (const frame of frames) {
      let start = frame.offset;
      for (const end of frame.blockEnds) {
        if (!stream.transform(data.subarray(start, end), collect)) {
          throw corrupt(`zstd rejected the block ending at byte ${end} of ${data.length}`);
        }
        if (total > maxBytes) throw tooLarge(`it inflated past ${maxBytes} bytes`, maxBytes);
        start = end;
      }
    }
    if (!stream.end(collect)) throw corrupt(`zstd could not finish decoding its ${data.length} bytes`);
    if (total > maxBytes) throw tooLarge(`it inflated past ${maxBytes} bytes`, maxBytes);
  } finally {
    stream.delete();
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total);
}
