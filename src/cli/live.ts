import type { LiveRunner } from './main.js';

/** Placeholder until the collector lands. */
export function liveRunner(): LiveRunner {
  throw new Error('live mode is not wired yet');
}
