/** Time as the services see it; tests pass their own to make durations and timestamps exact. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
