import { S3Client, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { BuildMiddleware } from '@smithy/types';
import type { S3Settings } from './s3Settings';

/**
 * radosgw 16 compares `If-Match` on PUT against the ETag without its quotes, so a quoted ETag (what S3
 * returns and what RFC 9110 says to send back) never matches. AWS and MinIO accept either form, so the
 * quotes are stripped from every request before it is signed (the build step runs before signing).
 */
export const unquoteIfMatch: BuildMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
  const request = args.request as { headers?: Record<string, string> };
  if (request && typeof request === 'object' && request.headers) {
    for (const name of Object.keys(request.headers)) {
      if (name.toLowerCase() !== 'if-match') continue;
      const value = request.headers[name]!;
      const m = /^\s*"([^"]*)"\s*$/.exec(value); // a strong ETag; weak ones never match If-Match anyway
      if (m) request.headers[name] = m[1]!;
    }
  }
  return next(args);
};

/**
 * The one way cairn builds an S3 client (the transport, and the S3 lock, which needs `If-Match`):
 * checksums only where an operation requires them (stream bodies and stores that do not know the newer
 * flexible checksums break otherwise), unquoted `If-Match`, bounded connect and idle timeouts.
 */
export function createS3Client(settings: S3Settings): S3Client {
  const client = new S3Client({
    region: settings.region,
    forcePathStyle: settings.pathStyle,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000 },
  });
  client.middlewareStack.add(unquoteIfMatch, { step: 'build', name: 'cairnUnquoteIfMatch', override: true });
  return client;
}
