import { Observable, Subject, type Subscription } from 'rxjs';
import type { DomainEvent } from '../domain';
import type { Projection } from './ports/ReadModel';

/**
 * The store's event stream. `events$` is public (RxJS, `$`-suffixed); the subject stays private.
 * Projections subscribe like any observer, but a projection that throws must not be lost in RxJS's
 * asynchronous error reporting: the failure is captured and rethrown to the publisher, which then knows
 * the read model lags (and the next open catches it up from the store).
 */
export class EventBus {
  private readonly subject = new Subject<DomainEvent>();
  private failures: unknown[] = [];
  readonly events$: Observable<DomainEvent> = this.subject.asObservable();

  /** `beforePublish` runs first and may refuse by throwing (the fence of the store's lock). */
  constructor(private readonly beforePublish: () => void = () => undefined) {}

  attach(projection: Projection): Subscription {
    return this.events$.subscribe({
      next: (event) => {
        try {
          projection.apply(event);
        } catch (err) {
          this.failures.push(err);
        }
      },
    });
  }

  publish(event: DomainEvent): void {
    this.beforePublish();
    this.subject.next(event);
    if (this.failures.length > 0) {
      const [first] = this.failures;
      this.failures = [];
      throw first;
    }
  }

  complete(): void {
    this.subject.complete();
  }
}
