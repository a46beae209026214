import type { S3Client, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { DeserializeMiddleware } from '@smithy/types';

/** One S3 exchange as seen from here: when it was sent and answered (local clock), and the server's `Date`. */
export interface ClockSample {
  readonly sentAt: number;
  readonly receivedAt: number;
  /** The response's `Date` header (whole seconds). */
  readonly serverDate: number;
}

let watchers = 0;

/**
 * Record every response's `Date` header with the local times around the exchange (each attempt, retries
 * included: the middleware sits inside the SDK's retry loop, right around the HTTP call).
 */
export function watchServerClock(client: S3Client, now: () => number, onSample: (s: ClockSample) => void): void {
  const middleware: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
    const sentAt = now();
    const out = await next(args);
    const headers = (out.response as { headers?: Record<string, string | undefined> } | undefined)?.headers ?? {};
    const date = Date.parse(headers.date ?? headers.Date ?? '');
    if (Number.isFinite(date)) onSample({ sentAt, receivedAt: now(), serverDate: date });
    return out;
  };
  client.middlewareStack.add(middleware, { step: 'deserialize', priority: 'low', name: `cairnServerClock${++watchers}` });
}

/**
 * How far the local clock is, for certain, from the server's (ms, positive either way), or 0 when the sample
 * cannot tell them apart. The server stamped `Date` (truncated to the second) somewhere between `sentAt` and
 * `receivedAt`, so `server − local` lies in `(serverDate − receivedAt, serverDate + 1000 − sentAt)`.
 */
export function certainSkew(s: ClockSample): number {
  const low = s.serverDate - s.receivedAt;
  const high = s.serverDate + 1000 - s.sentAt;
  if (low > 0) return low;
  if (high < 0) return -high;
  return 0;
}

/**
 * The local clock measured against an S3 server's, from every response (see `watchServerClock`): machines
 * sharing an S3 lock share no clock but the server's (ADR 0009, clock skew).
 */
export class ServerClock {
  private sample: ClockSample | null = null;

  constructor(
    client: S3Client,
    now: () => number,
    private readonly endpoint: string,
  ) {
    watchServerClock(client, now, (s) => (this.sample = s));
  }

  /** Why the local clock is, for certain, further than `boundMs` from the server's (for messages), or null. */
  tooFar(boundMs: number, ttlMs: number): string | null {
    const s = this.sample;
    const skew = s ? certainSkew(s) : 0; // a server that sends no Date header is not checked
    if (!s || skew <= boundMs) return null;
    const way = s.serverDate > s.receivedAt ? 'behind' : 'ahead of';
    return (
      `this machine's clock is at least ${skew} ms ${way} the S3 server's (${this.endpoint}), more than the ${boundMs} ms a lease of ${ttlMs} ms ` +
      'tolerates: machines sharing the lock judge leases by their clocks. Synchronise this clock (NTP) and retry'
    );
  }
}
