import { randomBytes } from 'node:crypto';
import type { Clock, RandomSource } from '../application/ports';

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: RandomSource = { hex: (bytes) => randomBytes(bytes).toString('hex') };
