import { createHash, randomBytes } from 'node:crypto';
import * as binding from 'zstd-napi/binding';
import type { Codec } from '../../src/application/ports/Codec';
import { ZstdNapiCodec } from '../../src/plugins/codec-zstd';
import { ZstdWasmCodec } from '../../src/plugins/codec-zstd-wasm';
import { expectCode } from '../../src/testing';

// `.zst` artifacts must be readable whatever wrote them: each codec reads the other's frames, and frames from
// other zstd writers (streaming, no declared size, high levels).

const MiB = 1024 * 1024;
const napi = new ZstdNapiCodec();
const wasm = new ZstdWasmCodec();
const codecs: Array<[string, Codec]> = [
  ['zstd', napi],
  ['zstd-wasm', wasm],
];

function text(bytes: number): Uint8Array {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const line = `{"ordinal":${i},"body":{"note":"entry ${i * 7919 % 10007} of stream notes","tags":["t${i % 13}","t${i % 7}"]}}\n`;
    lines.push(line);
    size += line.length;
  }
  return new TextEncoder().encode(lines.join('').slice(0, bytes));
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** A frame as a streaming writer makes it: no content size in the header, window `2^windowLog`. */
function streamedFrame(data: Uint8Array, windowLog: number): Uint8Array {
  const cctx = new binding.CCtx();
  cctx.setParameter(binding.CParameter.compressionLevel, 3);
  cctx.setParameter(binding.CParameter.windowLog, windowLog);
  const out = Buffer.alloc(binding.compressBound(data.length) + 1024);
  let pos = 0;
  for (let offset = 0; offset < data.length; offset += 64 * 1024) {
    let src = data.subarray(offset, Math.min(offset + 64 * 1024, data.length));
    while (src.length > 0) {
      const [, produced, consumed] = cctx.compressStream2(out.subarray(pos), src, binding.EndDirective.continue);
      pos += produced;
      src = src.subarray(consumed);
    }
  }
  for (;;) {
    const [remaining, produced] = cctx.compressStream2(out.subarray(pos), new Uint8Array(0), binding.EndDirective.end);
    pos += produced;
    if (remaining === 0) return out.subarray(0, pos);
  }
}

describe('codec interop', () => {
  const inputs: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['short text', new TextEncoder().encode('{"hello":"world"}\n')],
    ['1 MiB of text', text(MiB)],
    ['a 4 MiB incompressible segment', new Uint8Array(randomBytes(4 * MiB))],
  ];

  for (const [writerName, writer] of codecs) {
    for (const [readerName, reader] of codecs) {
      if (writer === reader) continue;
      it.each(inputs)(`${readerName} reads what ${writerName} wrote: %s`, async (_, data) => {
        const compressed = await writer.compress(data);
        expect(same(await reader.decompress(compressed, data.length), data)).toBe(true);
      });
    }
  }

  it('identity does not depend on the writer: decoded bytes hash the same', async () => {
    const data = text(300_000);
    const fromNapi = await napi.compress(data);
    const fromWasm = await wasm.compress(data);
    const hashes = new Set<string>([sha256(data)]);
    for (const reader of [napi, wasm]) {
      hashes.add(sha256(await reader.decompress(fromNapi, data.length)));
      hashes.add(sha256(await reader.decompress(fromWasm, data.length)));
    }
    expect(hashes.size).toBe(1);
  });

  it('both read a stream of frames written by both', async () => {
    const a = text(70_000);
    const b = new Uint8Array(randomBytes(30_000));
    const stream = Buffer.concat([await napi.compress(a), await wasm.compress(b), await napi.compress(b)]);
    const expected = Buffer.concat([a, b, b]);
    for (const [, reader] of codecs) {
      expect(same(await reader.decompress(stream, expected.length), expected)).toBe(true);
    }
  });

  it('both read zstd level 19 frames', async () => {
    const data = text(MiB);
    const compressed = await new ZstdNapiCodec(19).compress(data);
    for (const [, reader] of codecs) {
      expect(same(await reader.decompress(compressed, data.length), data)).toBe(true);
    }
  });

  it('both read streamed frames that do not declare their size, and bound them all the same', async () => {
    const data = text(3 * MiB);
    const frame = streamedFrame(data, 21);
    expect(binding.getFrameContentSize(frame)).toBeNull();
    for (const [, reader] of codecs) {
      expect(same(await reader.decompress(frame, data.length), data)).toBe(true);
      await expectCode(reader.decompress(frame, data.length - 1), 'DECOMPRESSED_TOO_LARGE');
    }
  });

  it('both refuse 64 MiB of zeros when 1 MiB is allowed', async () => {
    const bomb = await napi.compress(new Uint8Array(64 * MiB));
    expect(bomb.length).toBeLessThan(64 * 1024);
    for (const [, reader] of codecs) {
      await expectCode(reader.decompress(bomb, MiB), 'DECOMPRESSED_TOO_LARGE');
    }
  });
});

describe('zstd-wasm limits (its wasm heap is fixed at 16 MiB)', () => {
  it('refuses to compress more than it can hold, with CODEC_FAILED, and keeps working', async () => {
    await expectCode(wasm.compress(new Uint8Array(5 * MiB)), 'CODEC_FAILED');
    await expectCode(new ZstdWasmCodec(12).compress(new Uint8Array(MiB)), 'CODEC_FAILED');
    const data = text(100_000);
    expect(same(await wasm.decompress(await wasm.compress(data), data.length), data)).toBe(true);
  });

  it('compresses a full 4 MiB segment at every level it accepts', async () => {
    const data = new Uint8Array(randomBytes(4 * MiB));
    for (const level of [1, 2, 3, 4, 5]) {
      const compressed = await new ZstdWasmCodec(level).compress(data);
      expect(same(await napi.decompress(compressed, data.length), data)).toBe(true);
    }
  });

  it('reads a frame with an 8 MiB window (zstd -19 writes those), refuses a larger one the native codec reads', async () => {
    const data = text(4 * MiB);
    expect(same(await wasm.decompress(streamedFrame(data, 23), data.length), data)).toBe(true);
    const frame = streamedFrame(data, 24);
    await expectCode(wasm.decompress(frame, data.length), 'CODEC_UNSUPPORTED'); // a limit of this codec, not damage
    expect(same(await napi.decompress(frame, data.length), data)).toBe(true);
  });
});
