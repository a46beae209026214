import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ArtifactStore } from '../application/ports/ArtifactStore';
import { expectCode } from './expectCode';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null): string | null => (b === null ? null : Buffer.from(b).toString('utf8'));

/**
 * The ArtifactStore contract. Every adapter runs it (file, memory, and third-party ones): call it inside a
 * jest test file with a factory that returns a fresh, empty store.
 */
export function artifactStoreContract(name: string, make: () => Promise<ArtifactStore> | ArtifactStore): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let store: ArtifactStore;
    beforeEach(async () => {
      store = await make();
    });

    it('creates, then reads back the same bytes', async () => {
      expect(await store.putIfAbsent('o-aaaaaa/segments/x', enc('one'))).toBe('created');
      expect(dec(await store.get('o-aaaaaa/segments/x'))).toBe('one');
      expect(await store.has('o-aaaaaa/segments/x')).toBe(true);
    });

    it('answers null and false for a key that is absent', async () => {
      expect(await store.get('o-aaaaaa/segments/nope')).toBeNull();
      expect(await store.has('o-aaaaaa/segments/nope')).toBe(false);
    });

    it('is write-once: identical bytes are identical, other bytes a conflict, and nothing is overwritten', async () => {
      await store.putIfAbsent('o-aaaaaa/checkpoints/cp', enc('v1'));
      expect(await store.putIfAbsent('o-aaaaaa/checkpoints/cp', enc('v1'))).toBe('identical');
      expect(await store.putIfAbsent('o-aaaaaa/checkpoints/cp', enc('v2'))).toBe('conflict');
      expect(dec(await store.get('o-aaaaaa/checkpoints/cp'))).toBe('v1');
    });

    it('gives exactly one "created" to concurrent puts of one key', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 16 }, (_, i) => store.putIfAbsent('o-aaaaaa/meta/race', enc(i % 2 === 0 ? 'same' : `other-${i}`))),
      );
      expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
      const winner = dec(await store.get('o-aaaaaa/meta/race'));
      outcomes.forEach((o, i) => {
        const mine = i % 2 === 0 ? 'same' : `other-${i}`;
        if (o !== 'created') expect(o).toBe(mine === winner ? 'identical' : 'conflict');
      });
    });

    it('lists keys under a prefix, sorted, without other folders', async () => {
      for (const k of ['o-aaaaaa/segments/b', 'o-aaaaaa/segments/a', 'o-aaaaaa/manifests/c', 'o-bbbbbb/segments/d']) {
        await store.putIfAbsent(k, enc(k));
      }
      expect(await store.list('o-aaaaaa/segments/')).toEqual(['o-aaaaaa/segments/a', 'o-aaaaaa/segments/b']);
      expect(await store.list('o-cccccc/segments/')).toEqual([]);
      expect(await store.origins()).toEqual(['o-aaaaaa', 'o-bbbbbb']);
    });

    it('deletes, reporting whether the key existed', async () => {
      await store.putIfAbsent('o-aaaaaa/blobs/z', enc('z'));
      expect(await store.delete('o-aaaaaa/blobs/z')).toBe(true);
      expect(await store.delete('o-aaaaaa/blobs/z')).toBe(false);
      expect(await store.get('o-aaaaaa/blobs/z')).toBeNull();
    });

    it('keeps binary bytes exactly', async () => {
      const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131) % 256);
      await store.putIfAbsent('o-aaaaaa/blobs/bin', bytes);
      expect(Buffer.compare(Buffer.from((await store.get('o-aaaaaa/blobs/bin'))!), Buffer.from(bytes))).toBe(0);
    });

    it('refuses keys that could escape the store', async () => {
      for (const bad of ['../x/y/z', 'o-aaaaaa/../../etc/passwd', 'o-aaaaaa//x', '/abs/x/y', 'o-aaaaaa/segments/.hidden']) {
        await expectCode(store.putIfAbsent(bad, enc('x')), 'ARTIFACT_NAME_INVALID');
      }
    });
  });
}
