/** Long work reports progress through this callback; the CLI draws it on a terminal. */
export interface ProgressEvent {
  readonly phase: string;
  readonly done: number;
  readonly total?: number;
}

export type ProgressSink = (event: ProgressEvent) => void;
