import { isCairnError, type ErrorCode } from '../domain/errors';

/** Assert that a promise (or function) fails with a CairnError of the given code. Errors are checked by code. */
export async function expectCode(work: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<void> {
  let failure: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    failure = err;
  }
  if (failure === undefined) throw new Error(`expected a CairnError ${code}, but it succeeded`);
  if (!isCairnError(failure, code)) {
    throw new Error(`expected a CairnError ${code}, got ${(failure as Error)?.name}: ${(failure as Error)?.message} (${(failure as { code?: string })?.code})`);
  }
}
