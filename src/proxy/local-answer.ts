import type { Fetch, MarkedRequest } from './guarded-call.js';

/** A request answered on this machine (`onLimit: 'stop'`, or a refusal inside a stream helper): nothing is sent. */
export class LocalAnswer implements MarkedRequest {
  readonly #respond: () => Response;

  private constructor(respond: () => Response) {
    this.#respond = respond;
  }

  /** Answers with a provider-shaped body, so the SDK builds its own objects (completion, stream) from it. */
  static body(body: string, stream: boolean): LocalAnswer {
    const contentType = stream ? 'text/event-stream' : 'application/json';
    return new LocalAnswer(() => new Response(body, { status: 200, headers: { 'content-type': contentType } }));
  }

  /** Fails the request with `error`; the SDK reports it as a connection error whose `cause` is `error`. */
  static failure(error: Error): LocalAnswer {
    return new LocalAnswer(() => {
      throw error;
    });
  }

  async send(_fetch: Fetch): Promise<Response> {
    return this.#respond();
  }
}
