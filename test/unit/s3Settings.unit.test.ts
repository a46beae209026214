import { parseS3Url, resolveS3Settings, s3TransportPlugin, unquoteIfMatch, validateS3Options } from '../../src/plugins/s3-transport';
import { expectCode } from '../../src/testing';

describe('s3:// target URLs', () => {
  it('parses a bucket and a prefix, normalising slashes', () => {
    expect(parseS3Url('s3://my-bucket/a/b/')).toEqual({ url: 's3://my-bucket/a/b', bucket: 'my-bucket', root: 'a/b/' });
    expect(parseS3Url('s3://my.bucket')).toEqual({ url: 's3://my.bucket', bucket: 'my.bucket', root: '' });
    expect(parseS3Url('s3://bkt/')).toEqual({ url: 's3://bkt', bucket: 'bkt', root: '' });
  });

  it.each([
    's3://',
    's3://ab/x',
    's3://Upper/x',
    's3://-bkt/x',
    's3://bkt/x?y=1',
    's3://bkt/x#f',
    's3://user@bkt/x',
    's3://bkt/a//b',
    's3://bkt/../x',
    's3://bkt/.hidden',
    's3://192.168.1.1/x',
    'http://bkt/x',
  ])('refuses %s', async (url) => {
    await expectCode(() => parseS3Url(url), 'INPUT_INVALID');
  });
});

describe('S3 settings: options over CAIRN_S3_* over AWS_*', () => {
  it('reads the environment', () => {
    const env = { CAIRN_S3_ENDPOINT: 'http://127.0.0.1:7480', CAIRN_S3_REGION: 'eu-1', CAIRN_S3_PATH_STYLE: '1', AWS_REGION: 'us-west-2' };
    expect(resolveS3Settings({}, env)).toEqual({ endpoint: 'http://127.0.0.1:7480', region: 'eu-1', pathStyle: true });
    expect(resolveS3Settings({}, { AWS_REGION: 'us-west-2' })).toEqual({ region: 'us-west-2', pathStyle: false });
    expect(resolveS3Settings({}, {})).toEqual({ region: 'us-east-1', pathStyle: false });
  });

  it('lets options override the environment', () => {
    const env = { CAIRN_S3_ENDPOINT: 'http://127.0.0.1:7480', CAIRN_S3_PATH_STYLE: '1' };
    const s = resolveS3Settings({ endpoint: 'https://s3.example.com', pathStyle: false, accessKeyId: 'a', secretAccessKey: 'b' }, env);
    expect(s).toEqual({ endpoint: 'https://s3.example.com', region: 'us-east-1', pathStyle: false, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  });

  it('allows plain http only to loopback, unless explicitly opted in', async () => {
    for (const ok of ['http://127.0.0.1:9000', 'http://localhost:9000', 'http://[::1]:9000', 'https://s3.example.com']) {
      expect(resolveS3Settings({ endpoint: ok }, {}).endpoint).toBe(ok);
    }
    await expectCode(() => resolveS3Settings({}, { CAIRN_S3_ENDPOINT: 'http://10.0.0.5:9000' }), 'INPUT_INVALID');
    await expectCode(() => resolveS3Settings({ endpoint: 'http://s3.lan' }, {}), 'INPUT_INVALID');
    expect(resolveS3Settings({}, { CAIRN_S3_ENDPOINT: 'http://10.0.0.5:9000', CAIRN_S3_ALLOW_HTTP: '1' }).endpoint).toBe('http://10.0.0.5:9000');
    expect(resolveS3Settings({ endpoint: 'http://s3.lan', allowHttp: true }, {}).endpoint).toBe('http://s3.lan');
  });

  it.each(['ftp://h', 'https://u:p@h', 'https://h/path', 'https://h?x=1', 'not a url'])('refuses the endpoint %s', async (endpoint) => {
    await expectCode(() => resolveS3Settings({ endpoint }, {}), 'INPUT_INVALID');
  });

  it('refuses a flag that is not yes/no', async () => {
    await expectCode(() => resolveS3Settings({}, { CAIRN_S3_PATH_STYLE: 'maybe' }), 'INPUT_INVALID');
  });

  it('validates plugin options', async () => {
    expect(validateS3Options('s3-transport', { region: 'x', pathStyle: true })).toEqual({ region: 'x', pathStyle: true });
    for (const bad of [[], 'x', { nope: 1 }, { pathStyle: 'yes' }, { accessKeyId: 'a' }, { endpoint: 'http://10.1.1.1' }]) {
      await expectCode(() => s3TransportPlugin.fromOptions(bad as never), bad && typeof bad === 'object' && 'endpoint' in bad ? 'INPUT_INVALID' : 'PLUGIN_OPTIONS_INVALID');
    }
  });
});

describe('the If-Match middleware', () => {
  it('strips the quotes of an If-Match header before the request is signed, and leaves other headers and weak ETags alone', async () => {
    const seen: Record<string, string>[] = [];
    const next = async (args: { request: unknown }): Promise<{ output: never; response: unknown }> => {
      seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return { output: undefined as never, response: {} };
    };
    const handler = unquoteIfMatch(next as never, {} as never);
    await handler({ input: {}, request: { headers: { 'if-match': '"abc123"', 'if-none-match': '"x"' } } } as never);
    await handler({ input: {}, request: { headers: { 'If-Match': 'W/"abc"' } } } as never);
    await handler({ input: {}, request: { headers: { 'if-match': 'plain' } } } as never);
    expect(seen).toEqual([{ 'if-match': 'abc123', 'if-none-match': '"x"' }, { 'If-Match': 'W/"abc"' }, { 'if-match': 'plain' }]);
  });
});
