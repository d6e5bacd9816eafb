export interface SseEvent {
  /** Set by an observer that keeps the event from the caller. */
  dropped?: boolean;
  /** The event's text as received, including its terminating blank line. */
  raw: string;
  /** The `event:` field, if any. */
  name: string | undefined;
  /** The `data:` lines joined with newlines. */
  data: string;
}

/** Splits decoded SSE text into whole events; partial events wait for the next chunk. */
export class SseEventSplitter {
  #buffer = '';
  /**
   * A chunk's trailing CR, held for the next chunk: a CRLF split across two network chunks would otherwise
   * count as two line ends — a blank line, an event boundary that is not there.
   */
  #pendingCr = false;

  /** True when no partial event is waiting for more text. */
  get isEmpty(): boolean {
    return this.#buffer === '' && !this.#pendingCr;
  }

  push(chunk: string): SseEvent[] {
    let text = this.#pendingCr ? `\r${chunk}` : chunk;
    this.#pendingCr = text.endsWith('\r');
    if (this.#pendingCr) text = text.slice(0, -1);
    this.#buffer += text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
    const events: SseEvent[] = [];
    let boundary = this.#buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const raw = this.#buffer.slice(0, boundary + 2);
      this.#buffer = this.#buffer.slice(boundary + 2);
      events.push(parseEvent(raw));
      boundary = this.#buffer.indexOf('\n\n');
    }
    return events;
  }

  /** What is left when the stream ends without a final blank line. */
  flush(): SseEvent | undefined {
    const rest = this.#pendingCr ? `${this.#buffer}\n` : this.#buffer;
    this.#buffer = '';
    this.#pendingCr = false;
    return rest.trim() === '' ? undefined : parseEvent(rest);
  }
}

function parseEvent(raw: string): SseEvent {
  // Fast path for the common one-line event `data: …\n\n`.
  if (raw.startsWith('data: ') && raw.indexOf('\n') === raw.length - 2) {
    return { raw, name: undefined, data: raw.slice(6, -2) };
  }
  let name: string | undefined;
  let data: string | undefined;
  for (const line of raw.split('\n')) {
    if (line.startsWith('data:')) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      data = data === undefined ? value : `${data}\n${value}`;
    } else if (line.startsWith('event:')) {
      name = line.slice(line.charCodeAt(6) === 32 ? 7 : 6);
    }
  }
  return { raw, name, data: data ?? '' };
}
