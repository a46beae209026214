import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { Codec } from '../application/ports/Codec';
import { expectCode } from './expectCode';
import { mulberry32 } from './prng';

const MiB = 1024 * 1024;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** NDJSON-like text of `bytes` bytes: compressible, but not trivially. */
function sampleText(bytes: number, seed = 1): Uint8Array {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
  const next = mulberry32(seed);
  let text = '';
  for (let i = 0; text.length < bytes; i++) {
    const body = Array.from({ length: 3 + Math.floor(next() * 8) }, () => words[Math.floor(next() * words.length)]).join(' ');
    text += `{"ordinal":${i},"ts":"2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z","body":{"text":"${body}","n":${Math.floor(next() * 1e6)}}}\n`;
  }
  return new TextEncoder().encode(text.slice(0, bytes));
}

/** `bytes` deterministic pseudo-random bytes (an AES-CTR keystream): incompressible, and fast to make. */
function sampleBinary(bytes: number, seed = 2): Uint8Array {
  const key = createHash('sha256').update(`codec-contract-${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return new Uint8Array(Buffer.concat([cipher.update(Buffer.alloc(bytes)), cipher.final()]));
}

/**
 * A hand-built zstd frame of `blocks` RLE blocks, each 128 KiB of `byte`: a tiny input that inflates to
 * `blocks * 128 KiB`. With `declareSize` the header carries the content size; without it, only decoding
 * reveals the size, which is what a bomb does to get past a header check.
 */
function rleFrame(blocks: number, byte: number, declareSize: boolean): Uint8Array {
  const blockBytes = 128 * 1024;
  const header = declareSize ? [0xc0, 0x38, ...uint64le(blocks * blockBytes)] : [0x00, 0x38]; // window 128 KiB
  const out = [...ZSTD_MAGIC, ...header];
  for (let i = 0; i < blocks; i++) {
    const blockHeader = (blockBytes << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
    out.push(blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff, byte);
  }
  return Uint8Array.from(out);
}

function uint64le(value: number): number[] {
  return Array.from({ length: 8 }, (_, i) => Math.floor(value / 2 ** (8 * i)) % 256);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Compare as Buffers: fast for megabytes, and a failure shows where the bytes differ. */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
}

/**
 * The Codec contract: call inside a jest test file with a factory for your codec. Every codec writes zstd
 * frames, reads them back, and refuses oversized (bomb), truncated and corrupt input with the right code.
 */
export function codecContract(name: string, make: () => Codec | Promise<Codec>): void {
  describe(`Codec contract: ${name}`, () => {
    const roundTrip = async (data: Uint8Array, maxBytes = data.length): Promise<Uint8Array> => {
      const codec = await make();
      const compressed = await codec.compress(data);
      expect(Array.from(compressed.subarray(0, 4))).toEqual(ZSTD_MAGIC);
      return codec.decompress(compressed, maxBytes);
    };

    it('has a name', async () => {
      const codec = await make();
      expect(typeof codec.name).toBe('string');
      expect(codec.name.length).toBeGreaterThan(0);
    });

    it('round-trips empty input', async () => {
      expectBytes(await roundTrip(new Uint8Array(0)), new Uint8Array(0));
    });

    it('round-trips a short string', async () => {
      const data = new TextEncoder().encode('{"hello":"world"}\n');
      expectBytes(await roundTrip(data), data);
    });

    it('round-trips 1 MiB of text and actually compresses it', async () => {
      const codec = await make();
      const data = sampleText(MiB);
      const compressed = await codec.compress(data);
      expect(compressed.length).toBeLessThan(data.length / 2);
      expectBytes(await codec.decompress(compressed, data.length), data);
    });

    it('round-trips binary data, every byte value included', async () => {
      const data = concat(Uint8Array.from({ length: 256 }, (_, i) => i), sampleBinary(256 * 1024));
      expectBytes(await roundTrip(data), data);
    });

    it('round-trips a 4 MiB segment of incompressible bytes', async () => {
      const data = sampleBinary(4 * MiB, 3);
      expectBytes(await roundTrip(data), data);
    });

    it('writes a zstd frame that declares its content size', async () => {
      const codec = await make();
      const compressed = await codec.compress(sampleText(1000));
      expect(Array.from(compressed.subarray(0, 4))).toEqual(ZSTD_MAGIC);
      const descriptor = compressed[4]!;
      const declaresSize = descriptor >> 6 !== 0 || (descriptor & 0x20) !== 0;
      expect(declaresSize).toBe(true);
    });

    it('handles concurrent calls', async () => {
      const inputs = [1, 2, 3, 4].map((seed) => sampleText(100_000 + seed * 1000, seed));
      const outputs = await Promise.all(inputs.map((data) => roundTrip(data)));
      outputs.forEach((out, i) => expectBytes(out, inputs[i]!));
    });

    it('decodes at exactly maxBytes and refuses one byte less with DECOMPRESSED_TOO_LARGE', async () => {
      const codec = await make();
      const data = sampleText(200_000);
      const compressed = await codec.compress(data);
      expectBytes(await codec.decompress(compressed, data.length), data);
      await expectCode(codec.decompress(compressed, data.length - 1), 'DECOMPRESSED_TOO_LARGE');
      await expectCode(codec.decompress(compressed, 0), 'DECOMPRESSED_TOO_LARGE');
    });

    it('refuses a zstd bomb that declares 64 MiB when 1 MiB is allowed', async () => {
      const codec = await make();
      const bomb = rleFrame(512, 0, true);
      expect(bomb.length).toBeLessThan(4096);
      await expectCode(codec.decompress(bomb, MiB), 'DECOMPRESSED_TOO_LARGE');
    });

    it('refuses a 4 GiB zstd bomb that hides its size, without inflating it', async () => {
      const codec = await make();
      const bomb = rleFrame(32 * 1024, 0, false);
      const started = Date.now();
      await expectCode(codec.decompress(bomb, MiB), 'DECOMPRESSED_TOO_LARGE');
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('reads frames without a declared content size, such as streaming writers produce', async () => {
      const codec = await make();
      const frame = rleFrame(3, 0x61, false);
      expectBytes(await codec.decompress(frame, 3 * 128 * 1024), new Uint8Array(3 * 128 * 1024).fill(0x61));
      await expectCode(codec.decompress(frame, 3 * 128 * 1024 - 1), 'DECOMPRESSED_TOO_LARGE');
    });

    it('reads concatenated frames as their concatenated content', async () => {
      const codec = await make();
      const a = sampleText(50_000, 5);
      const b = sampleBinary(10_000, 6);
      const both = concat(await codec.compress(a), await codec.compress(b));
      expectBytes(await codec.decompress(both, a.length + b.length), concat(a, b));
      await expectCode(codec.decompress(both, a.length + b.length - 1), 'DECOMPRESSED_TOO_LARGE');
    });

    it('fails with CODEC_FAILED on a truncated frame', async () => {
      const codec = await make();
      const data = sampleText(300_000, 7);
      const compressed = await codec.compress(data);
      for (const keep of [compressed.length - 1, Math.floor(compressed.length / 2), 6, 3]) {
        await expectCode(codec.decompress(compressed.subarray(0, keep), data.length), 'CODEC_FAILED');
      }
    });

    it('fails with CODEC_FAILED on random garbage', async () => {
      const codec = await make();
      const garbage = sampleBinary(10_000, 8);
      expect(Array.from(garbage.subarray(0, 4))).not.toEqual(ZSTD_MAGIC);
      await expectCode(codec.decompress(garbage, MiB), 'CODEC_FAILED');
    });

    it('fails with CODEC_FAILED on empty input', async () => {
      const codec = await make();
      await expectCode(codec.decompress(new Uint8Array(0), MiB), 'CODEC_FAILED');
    });

    it('fails with CODEC_FAILED on garbage after a valid frame', async () => {
      const codec = await make();
      const compressed = await codec.compress(sampleText(10_000, 9));
      for (const tail of [Uint8Array.of(1), Uint8Array.of(1, 2, 3), sampleBinary(100, 10)]) {
        await expectCode(codec.decompress(concat(compressed, tail), MiB), 'CODEC_FAILED');
      }
    });

    it('fails with CODEC_FAILED on a block of the reserved type', async () => {
      const codec = await make();
      const frame = rleFrame(2, 0x62, false);
      frame[6] = frame[6]! | 0x06; // first block header, bits 1-2: block type 3 (reserved)
      await expectCode(codec.decompress(frame, MiB), 'CODEC_FAILED');
    });

    it('a valid frame whose window is beyond its limits is decoded or refused with CODEC_UNSUPPORTED, never CODEC_FAILED', async () => {
      // Readers remove from a target only what a codec calls damaged (CODEC_FAILED): a limit of this codec must
      // not be mistaken for it. RFC 8878 lets decoders refuse windows above 8 MiB; this frame asks for 2^28.
      const codec = await make();
      const body = new TextEncoder().encode('hello');
      const frame = Uint8Array.from([...ZSTD_MAGIC, 0x00, 18 << 3, 1 | (body.length << 3), 0, 0, ...body]); // no size, window 2^28, one raw block
      const out = await codec.decompress(frame, MiB).then(
        (bytes) => ({ bytes }),
        (err: unknown) => ({ err }),
      );
      if ('bytes' in out) expectBytes(out.bytes, body);
      else await expectCode(Promise.reject(out.err), 'CODEC_UNSUPPORTED');
    });

    it('still works after failed calls', async () => {
      const codec = await make();
      await expectCode(codec.decompress(sampleBinary(1000, 11), MiB), 'CODEC_FAILED');
      await expectCode(codec.decompress(rleFrame(64, 0, false), 1000), 'DECOMPRESSED_TOO_LARGE');
      const data = sampleText(20_000, 12);
      expectBytes(await roundTrip(data), data);
    });
  });
}
