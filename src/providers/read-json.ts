/** Parses a JSON object from the wire; null for anything else (never throws). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A positive integer option from request parameters, or undefined. */
export function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

let syntheticCounter = 0;
/** An id for locally made responses, shaped like the provider's, never colliding within a process. */
export function syntheticId(prefix: string): string {
  syntheticCounter += 1;
  return `${prefix}tokenfence_${Date.now().toString(36)}${syntheticCounter.toString(36)}`;
}
