import type { DCtx } from 'zstd-napi/binding';
import type { Codec } from '../../application/ports/Codec';
import { CairnError } from '../../domain/errors';
import { beyondCodec, checkLevel, checkMaxBytes, corrupt, messageOf, tooLarge } from '../../application/ports/codecSupport';
import { concatBytes } from '../../domain/bytes';
import { loadZstdNapi } from './loadZstdNapi';

/**
 * The default codec: native zstd through zstd-napi. Compression writes one frame with the content size in
 * its header. Decompression streams into bounded chunks and stops as soon as the output would pass
 * `maxBytes`, so a zstd bomb never inflates more than `maxBytes + 1` bytes.
 */
export class ZstdNapiCodec implements Codec {
  readonly name = 'zstd';
  private dctx: DCtx | undefined;

  constructor(readonly level: number = 3) {
    checkLevel('zstd', level);
  }

  async compress(data: Uint8Array): Promise<Uint8Array> {
    const { api } = loadZstdNapi();
    try {
      return asPlain(api.compress(data, { compressionLevel: this.level }));
    } catch (err) {
      throw new CairnError('CODEC_FAILED', `zstd could not compress ${data.length} bytes: ${messageOf(err)}`);
    }
  }

  async decompress(data: Uint8Array, maxBytes: number): Promise<Uint8Array> {
    checkMaxBytes(maxBytes);
    if (data.length === 0) throw corrupt('the input is empty, not a zstd frame');
    const { binding } = loadZstdNapi();
    let declared: number | null;
    try {
      declared = binding.getFrameContentSize(data);
    } catch {
      throw corrupt('no valid zstd frame header at the start of the input');
    }
    if (declared !== null && declared > maxBytes) throw tooLarge(`its frame declares ${declared} bytes`, maxBytes);
    return this.inflate(data, maxBytes, declared);
  }

  /** Stream `data` through the decoder into chunks, never holding more than `maxBytes + 1` output bytes. */
  private inflate(data: Uint8Array, maxBytes: number, declared: number | null): Uint8Array {
    const { binding } = loadZstdNapi();
    const dctx = this.context();
    const chunkBytes = binding.dStreamOutSize();
    const chunks: Uint8Array[] = [];
    let chunk = new Uint8Array(Math.min(declared ?? chunkBytes, maxBytes) + 1);
    let used = 0;
    let total = 0;
    let src = data;
    let frameEnded = false;
    for (;;) {
      if (used === chunk.length) {
        chunks.push(chunk);
        chunk = new Uint8Array(Math.min(chunkBytes, maxBytes + 1 - total));
        used = 0;
      }
      let ret: number, produced: number, consumed: number;
      try {
        [ret, produced, consumed] = dctx.decompressStream(chunk.subarray(used), src);
      } catch (err) {
        // A window above the decoder's limit (2^27) is valid zstd that this decoder refuses: not damage.
        if (/too much memory/i.test(messageOf(err))) throw beyondCodec(`zstd refused it (${messageOf(err)}): its window is above this decoder's limit`);
        throw corrupt(`zstd rejected it (${messageOf(err)}) after ${data.length - src.length} of ${data.length} input bytes`);
      }
      used += produced;
      total += produced;
      src = src.subarray(consumed);
      if (produced > 0 || consumed > 0) frameEnded = ret === 0;
      if (total > maxBytes) throw tooLarge(`it inflated past ${maxBytes} bytes`, maxBytes);
      if (src.length === 0 && used < chunk.length) break;
      if (produced === 0 && consumed === 0 && src.length > 0) {
        throw corrupt(`the decoder stopped making progress with ${src.length} input bytes left`);
      }
    }
    if (!frameEnded) throw corrupt(`it is truncated: all ${data.length} input bytes were read and a zstd frame is still open`);
    chunks.push(chunk.subarray(0, used));
    return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total);
  }

  /** One reusable decoder per codec; reset before each use so a failed call leaves no state behind. */
  private context(): DCtx {
    const { binding } = loadZstdNapi();
    this.dctx ??= new binding.DCtx();
    this.dctx.reset(binding.ResetDirective.sessionOnly);
    return this.dctx;
  }
}

/** A plain Uint8Array view of a Buffer, so both codecs return the same type. */
function asPlain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
