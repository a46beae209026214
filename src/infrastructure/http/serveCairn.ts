import type { Cairn } from '../../application/Cairn';
import { servePeer, type PeerServer, type PeerServerOptions } from './PeerServer';

/**
 * Serve a store as an HTTP peer (what `cairn serve` runs): export what is new first, so peers see every
 * acknowledged entry, then serve `cairn.peerHost()` until `close()`. Close the server before the Cairn.
 */
export async function serveCairn(cairn: Cairn, options: PeerServerOptions = {}): Promise<PeerServer> {
  await cairn.export();
  return servePeer(cairn.peerHost(), options);
}
