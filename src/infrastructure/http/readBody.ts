import type { IncomingMessage } from 'node:http';
import { CairnError } from '../../domain';

/**
 * Read a request body of exactly `length` bytes (its Content-Length, already checked against the cap) into
 * one buffer, streaming: nothing beyond `length` is ever held. A client that stops early fails the read.
 */
export function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // The client may have gone away while the request waited for budget: its 'aborted' has already fired.
    if (req.destroyed && !req.readableEnded) return reject(new CairnError('INPUT_INVALID', 'the client went away before the body was complete'));
    const body = Buffer.allocUnsafe(length);
    let at = 0;
    const fail = (why: string): void => {
      cleanup();
      reject(new CairnError('INPUT_INVALID', why));
    };
    const onData = (chunk: Buffer): void => {
      if (at + chunk.length > length) return fail('the body is longer than its Content-Length');
      chunk.copy(body, at);
      at += chunk.length;
    };
    const onEnd = (): void => {
      cleanup();
      if (at !== length) reject(new CairnError('INPUT_INVALID', `the body ended after ${at} of ${length} bytes`));
      else resolve(body);
    };
    const onAborted = (): void => fail('the client went away before the body was complete');
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onAborted);
  });
}
