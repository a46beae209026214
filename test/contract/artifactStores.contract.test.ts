import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileArtifactStore } from '../../src/plugins/file-store';
import { MemoryArtifactStore } from '../../src/plugins/memory-store';
import { artifactStoreContract } from '../../src/testing';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

artifactStoreContract('memory', () => new MemoryArtifactStore());
artifactStoreContract('file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-store-'));
  dirs.push(dir);
  return new FileArtifactStore(dir);
});

describe('FileArtifactStore specifics', () => {
  it('ignores other tools\' temp files and dot files when listing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-store-'));
    dirs.push(dir);
    const store = new FileArtifactStore(dir);
    await store.putIfAbsent('o-aaaaaa/segments/a', new Uint8Array([1]));
    fs.writeFileSync(path.join(dir, 'o-aaaaaa/segments/.syncthing.b.tmp'), 'partial');
    fs.writeFileSync(path.join(dir, 'o-aaaaaa/segments/.a.tmp-123-abc'), 'partial');
    fs.mkdirSync(path.join(dir, '.stversions'));
    expect(await store.list('o-aaaaaa/segments/')).toEqual(['o-aaaaaa/segments/a']);
    expect(await store.origins()).toEqual(['o-aaaaaa']);
  });

  it('leaves no temp file behind, whether it created or lost the race', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-store-'));
    dirs.push(dir);
    const store = new FileArtifactStore(dir);
    await store.putIfAbsent('o-aaaaaa/meta/x', new Uint8Array([1]));
    await store.putIfAbsent('o-aaaaaa/meta/x', new Uint8Array([2]));
    expect(fs.readdirSync(path.join(dir, 'o-aaaaaa/meta'))).toEqual(['x']);
  });
});
