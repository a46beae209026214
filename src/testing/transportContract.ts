import { beforeEach, describe, expect, it } from '@jest/globals';
import type { Transport } from '../application/ports/Transport';
import { artifactStoreContract } from './artifactStoreContract';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * The Transport contract: everything an ArtifactStore promises (write-once put-if-absent with created /
 * identical / conflict, exactly one winner under concurrency, get, has, delete, safe keys), plus paged
 * listing after a cursor, which is how sync asks "what changed since X" cheaply. Call it in a jest test
 * file with a factory that returns a fresh, empty target.
 */
export function transportContract(name: string, make: () => Promise<Transport> | Transport): void {
  artifactStoreContract(name, make);

  describe(`Transport contract: ${name}`, () => {
    let target: Transport;
    beforeEach(async () => {
      target = await make();
    });

    it('names itself by a URL', () => {
      expect(target.url).toMatch(/^[a-z][a-z0-9+.-]*:\/\//);
    });

    it('lists after a cursor, in pages, resumably and without gaps or repeats', async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `o-aaaaaa/checkpoints/cp-${String(i + 1).padStart(10, '0')}.json`);
      for (const k of [...keys].reverse()) await target.putIfAbsent(k, enc(k));
      expect(await target.list('o-aaaaaa/checkpoints/', { after: keys[19] })).toEqual(keys.slice(20));
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await target.list('o-aaaaaa/checkpoints/', { after, limit: 7 });
        expect(page.length).toBeLessThanOrEqual(7);
        seen.push(...page);
        if (page.length < 7) break;
        after = page[page.length - 1];
      }
      expect(seen).toEqual(keys);
      expect(await target.list('o-aaaaaa/checkpoints/', { after: keys[24] })).toEqual([]);
    });

    it('closes without error', async () => {
      await target.close();
    });
  });
}
