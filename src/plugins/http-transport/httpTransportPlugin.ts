import { ContainerModule } from 'inversify';
import type { TransportFactory } from '../../application/ports';
import { definePlugin, invalidPluginOptions } from '../../application/plugins';
import { TOKENS } from '../../application/tokens';
import { HttpTransport, type HttpTransportOptions } from './HttpTransport';
import { parsePeerUrl } from './peerUrl';

export type HttpTransportPluginOptions = Omit<HttpTransportOptions, 'token'>;

function validate(options: unknown): HttpTransportPluginOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalidPluginOptions('http-transport', 'options must be an object');
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['timeoutMs', 'importTimeoutMs', 'retry'].includes(key)) throw invalidPluginOptions('http-transport', `unknown option "${key}"`);
  }
  for (const key of ['timeoutMs', 'importTimeoutMs'] as const) {
    if (o[key] !== undefined && !(Number.isSafeInteger(o[key]) && (o[key] as number) > 0)) throw invalidPluginOptions('http-transport', `${key} must be a positive integer`);
  }
  const retry = o.retry as Record<string, unknown> | undefined;
  if (retry !== undefined) {
    if (typeof retry !== 'object' || retry === null) throw invalidPluginOptions('http-transport', 'retry must be {retries, baseMs}');
    if (retry.retries !== undefined && !(Number.isSafeInteger(retry.retries) && (retry.retries as number) >= 0 && (retry.retries as number) <= 10)) {
      throw invalidPluginOptions('http-transport', 'retry.retries must be an integer from 0 to 10');
    }
    if (retry.baseMs !== undefined && !(Number.isSafeInteger(retry.baseMs) && (retry.baseMs as number) >= 0)) {
      throw invalidPluginOptions('http-transport', 'retry.baseMs must be a non-negative integer');
    }
  }
  return o as HttpTransportPluginOptions;
}

/** HTTP peers (`cairn serve`) as sync targets: `http://host:port`, `https://host[:port][/base]`. */
export const httpTransportPlugin = definePlugin<HttpTransportPluginOptions>({
  name: 'http-transport',
  kind: 'transport',
  schemes: ['http', 'https'],
  fromOptions(options) {
    const settings = validate(options);
    const factory: TransportFactory = {
      schemes: ['http', 'https'],
      async create(url, transportOptions) {
        const endpoint = parsePeerUrl(url, transportOptions.allowInsecure === true);
        return new HttpTransport(endpoint, { ...settings, token: transportOptions.token });
      },
    };
    return new ContainerModule(({ bind }) => {
      bind(TOKENS.TransportFactory).toConstantValue(factory);
    });
  },
});
