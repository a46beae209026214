import type { Codec } from '../../application/ports/Codec';
import { CairnError } from '../../domain/errors';
import { beyondCodec, checkLevel, checkMaxBytes, corrupt, messageOf, tooLarge } from '../../application/ports/codecSupport';
import { discardZstdWasm, loadZstdWasm, type ZstdWasm } from './loadZstdWasm';
import { decodeByBlocks, decodeOneShot, fitsOneShot } from './wasmDecoders';
import { inspectZstdFrames } from './zstdFrames';

const MiB = 1024 * 1024;
/** The highest level whose compressor still fits a 4 MiB segment in zstd-codec's fixed 16 MiB wasm heap. */
export const ZSTD_WASM_MAX_LEVEL = 5;

/**
 * Largest input zstd-codec's one-shot compressor handles at `level` before its 16 MiB heap runs out (it then
 * aborts with OOM). Measured on incompressible input, the worst case, with a margin; segments are 4 MiB at most.
 */
export function maxWasmCompressBytes(level: number): number {
  if (level <= 3) return 4.5 * MiB;
  if (level <= 5) return 4 * MiB + 128 * 1024;
  if (level <= 7) return 3.5 * MiB;
  if (level === 8) return 3 * MiB;
  if (level === 9) return 2 * MiB;
  return 448 * 1024;
}

/**
 * The portable codec: zstd 1.3.6 compiled to wasm (zstd-codec), for hosts where the native addon cannot be
 * built. It writes one frame with the content size in its header and reads any zstd frames. Decoding walks the
 * frame and block headers first: a declared size above `maxBytes` is refused at once, a frame that declares
 * nothing is fed to the decoder block by block and stopped as soon as it passes `maxBytes`.
 */
export class ZstdWasmCodec implements Codec {
  readonly name = 'zstd-wasm';

  constructor(readonly level: number = 3) {
    checkLevel('zstd-wasm', level);
  }

  async compress(data: Uint8Array): Promise<Uint8Array> {
    const limit = maxWasmCompressBytes(this.level);
    if (data.length > limit) {
      throw new CairnError(
        'CODEC_FAILED',
        `zstd-wasm cannot compress ${data.length} bytes at level ${this.level}: its fixed 16 MiB wasm heap holds at most ${limit}; use the "zstd" codec plugin for larger inputs`,
      );
    }
    const wasm = await loadZstdWasm();
    const compressed = guarded(() => compressOneShot(wasm, data, this.level));
    if (compressed === null) throw new CairnError('CODEC_FAILED', `zstd-wasm could not compress ${data.length} bytes at level ${this.level}`);
    return compressed;
  }

  async decompress(data: Uint8Array, maxBytes: number): Promise<Uint8Array> {
    checkMaxBytes(maxBytes);
    const frames = inspectZstdFrames(data).filter((frame) => !frame.skippable);
    const declared = frames.reduce((sum, frame) => sum + (frame.contentSize ?? 0), 0);
    if (declared > maxBytes) {
      throw tooLarge(`${frames.length === 1 ? 'its frame declares' : `its ${frames.length} frames declare`} ${declared} bytes`, maxBytes);
    }
    const wasm = await loadZstdWasm();
    const output = guarded(
      () => (fitsOneShot(data, frames) ? decodeOneShot(wasm, data, frames[0]!) : decodeByBlocks(wasm, data, frames, maxBytes)),
      beyondCodec, // its heap ran out on input whose headers were sound: a limit of this codec, not proof of damage
    );
    if (frames.every((frame) => frame.contentSize !== null) && output.length !== declared) {
      throw corrupt(`it decoded to ${output.length} bytes but its frame headers declare ${declared}`);
    }
    return output;
  }
}

/** ZSTD_compress on the wasm heap (what zstd-codec's `Simple.compress` does): one frame that declares its size. */
function compressOneShot({ module, codec }: ZstdWasm, data: Uint8Array, level: number): Uint8Array | null {
  const bound = codec.compressBound(data.length);
  if (bound < 0) return null;
  const src = new module.VectorU8();
  const dest = new module.VectorU8();
  try {
    module.cloneToVector(src, data);
    dest.resize(bound, 0);
    const size = codec.compress(dest, src, level);
    if (size < 0) return null;
    dest.resize(size, 0);
    return module.cloneAsTypedArray(dest);
  } finally {
    src.delete();
    dest.delete();
  }
}

/**
 * Run a call into the wasm module. An Emscripten abort (it throws a string, e.g. on OOM) leaves the heap in an
 * unknown state: drop the instance so the next call starts a fresh one, and fail with CODEC_FAILED (or what
 * `failure` makes of the message).
 */
function guarded<T>(work: () => T, failure: (what: string) => CairnError = (what) => new CairnError('CODEC_FAILED', what)): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof CairnError) throw err;
    discardZstdWasm();
    throw failure(`zstd-wasm aborted (${messageOf(err)}); the next call starts a fresh wasm instance`);
  }
}
