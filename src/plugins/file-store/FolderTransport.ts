import type { Transport } from '../../application/ports';
import { FileArtifactStore } from './FileArtifactStore';

/**
 * A shared folder (Syncthing, Dropbox, NFS, rclone) as a sync target. The layout is the store's own, and so
 * is the publishing discipline: temp dot-file + hard link, never an overwrite, never a half-written name.
 * Other tools' temp files (dot files, which is how Syncthing, rsync and Dropbox name them) are never listed;
 * a partial file under a real name fails verification in the core and is quarantined.
 */
export class FolderTransport extends FileArtifactStore implements Transport {
  constructor(
    readonly url: string,
    root: string,
  ) {
    super(root);
  }

  async close(): Promise<void> {}
}
