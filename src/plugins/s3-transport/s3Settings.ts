import { invalidPluginOptions } from '../../application/plugins';
import { CairnError } from '../../domain';

/** Plugin options of the S3 transport; each overrides the matching environment variable. */
export interface S3Options {
  /** `https://host[:port]` of an S3-compatible store; default: AWS (or `CAIRN_S3_ENDPOINT`). */
  readonly endpoint?: string;
  readonly region?: string;
  /** Path-style addressing (`host/bucket/key`), which most self-hosted stores need. */
  readonly pathStyle?: boolean;
  /** Allow a plain-http endpoint that is not on loopback. */
  readonly allowHttp?: boolean;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
}

/** What a client is built from: options over `CAIRN_S3_*` over `AWS_*`, validated. */
export interface S3Settings {
  readonly endpoint?: string;
  readonly region: string;
  readonly pathStyle: boolean;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

const OPTION_TYPES: Readonly<Record<keyof S3Options, 'string' | 'boolean'>> = {
  endpoint: 'string',
  region: 'string',
  pathStyle: 'boolean',
  allowHttp: 'boolean',
  accessKeyId: 'string',
  secretAccessKey: 'string',
  sessionToken: 'string',
};

/** The names of the S3 options (for plugins that take them next to options of their own). */
export const S3_OPTION_KEYS = Object.keys(OPTION_TYPES) as readonly (keyof S3Options)[];

/** Validate plugin options (PLUGIN_OPTIONS_INVALID names the plugin and the option). */
export function validateS3Options(plugin: string, options: unknown): S3Options {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw invalidPluginOptions(plugin, 'options must be an object');
  for (const [key, value] of Object.entries(options)) {
    const type = OPTION_TYPES[key as keyof S3Options];
    if (!type) throw invalidPluginOptions(plugin, `unknown option "${key}" (known: ${Object.keys(OPTION_TYPES).join(', ')})`);
    if (typeof value !== type) throw invalidPluginOptions(plugin, `option "${key}" must be a ${type}`);
  }
  const o = options as S3Options;
  if ((o.accessKeyId === undefined) !== (o.secretAccessKey === undefined)) {
    throw invalidPluginOptions(plugin, 'give both accessKeyId and secretAccessKey, or neither (then AWS_* variables and profiles apply)');
  }
  if (o.endpoint !== undefined) checkEndpoint(o.endpoint, o.allowHttp ?? false);
  return o;
}

/** Resolve settings from options and the environment. */
export function resolveS3Settings(options: S3Options, env: NodeJS.ProcessEnv): S3Settings {
  const allowHttp = options.allowHttp ?? flag(env, 'CAIRN_S3_ALLOW_HTTP') ?? false;
  const endpoint = options.endpoint ?? nonEmpty(env.CAIRN_S3_ENDPOINT) ?? nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const region = options.region ?? nonEmpty(env.CAIRN_S3_REGION) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  const pathStyle = options.pathStyle ?? flag(env, 'CAIRN_S3_PATH_STYLE') ?? false;
  const credentials =
    options.accessKeyId !== undefined && options.secretAccessKey !== undefined
      ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}) }
      : undefined;
  return { ...(endpoint ? { endpoint: checkEndpoint(endpoint, allowHttp) } : {}), region, pathStyle, ...(credentials ? { credentials } : {}) };
}

/** An endpoint is `http(s)://host[:port]`; plain http only to loopback unless explicitly allowed. */
export function checkEndpoint(endpoint: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CairnError('INPUT_INVALID', `S3 endpoint ${JSON.stringify(endpoint)} is not a URL: use https://host[:port]`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CairnError('INPUT_INVALID', `S3 endpoint ${endpoint} must be http(s)://host[:port]`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new CairnError('INPUT_INVALID', `S3 endpoint ${endpoint} must be just scheme, host and port (no credentials, path, query or fragment)`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !allowHttp) {
    throw new CairnError(
      'INPUT_INVALID',
      `S3 endpoint ${endpoint} is plain http to a host that is not loopback: credentials and data would cross the network unencrypted; use https, or set CAIRN_S3_ALLOW_HTTP=1 (plugin option allowHttp) to accept that`,
    );
  }
  return `${url.protocol}//${url.host}`;
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new CairnError('INPUT_INVALID', `${name}=${env[name]} is not a yes/no value: use 1 or 0`);
}
