export { DEFAULT_PEER_PORT, servePeer, type PeerEvent, type PeerServer, type PeerServerOptions } from './PeerServer';
export { serveCairn } from './serveCairn';
