import type { NormalizedUsage } from '../core/usage.js';
import type { ChunkUsageTracker, StreamUsageTracker } from '../providers/provider-adapter.js';

const UNKNOWN = Object.freeze({ usage: null, complete: false, failed: true });

/**
 * An adapter's reading of usage, with its failures kept off the call path: a body or result the adapter
 * chokes on (a shape no provider sends, a bug) is usage unknown — charged as the hold — instead of an
 * exception that would reach the caller in place of the SDK's answer and leave the hold reserved.
 */
export function usageOrNull(read: () => NormalizedUsage | null): NormalizedUsage | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** The stream tracker, contained the same way: once it throws it is no longer fed, and its usage is unknown. */
export function containStreamTracker(tracker: StreamUsageTracker): StreamUsageTracker {
  let broken = false;
  return {
    onEvent(name, data): boolean | string {
      if (broken) return false;
      try {
        return tracker.onEvent(name, data);
      } catch {
        broken = true;
        return false;
      }
    },
    result: () => containedResult(tracker, broken),
  };
}

/** The method seam's chunk tracker, contained likewise. */
export function containChunkTracker(tracker: ChunkUsageTracker): ChunkUsageTracker {
  let broken = false;
  return {
    onChunk(chunk) {
      if (broken) return;
      try {
        tracker.onChunk(chunk);
      } catch {
        broken = true;
      }
    },
    result: () => containedResult(tracker, broken),
  };
}

function containedResult<R>(tracker: { result(): R }, broken: boolean): R | typeof UNKNOWN {
  if (broken) return UNKNOWN;
  try {
    return tracker.result();
  } catch {
    return UNKNOWN;
  }
}
