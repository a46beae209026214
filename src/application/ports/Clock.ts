/** Time is passed in: use cases read it from this port, never from the global clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface RandomSource {
  /** `bytes` random bytes as lowercase hex. */
  hex(bytes: number): string;
}
