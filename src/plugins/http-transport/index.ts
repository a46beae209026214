export { HttpTransport, type HttpTransportOptions } from './HttpTransport';
export { httpTransportPlugin, type HttpTransportPluginOptions } from './httpTransportPlugin';
export { parsePeerUrl, type PeerEndpoint } from './peerUrl';
