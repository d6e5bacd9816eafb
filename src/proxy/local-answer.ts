import { STOP_HEADER, STOP_REASON, withStopMarker } from './budget-stop.js';
import type { Fetch, MarkedRequest } from './guarded-call.js';

/** A request answered on this machine (`onLimit: 'stop'`, or a refusal inside a stream helper): nothing is sent. */
export class LocalAnswer implements MarkedRequest {
  readonly #respond: () => Response;

  private constructor(respond: () => Response) {
    this.#respond = respond;
  }

  /**
   * Answers with a provider-shaped body, so the SDK builds its own objects (completion, stream) from it;
   * marked as a budget stop (`isBudgetStop`): a body field on JSON, the `x-tokenfence-stop` header on both.
   */
  static body(body: string, stream: boolean): LocalAnswer {
    const contentType = stream ? 'text/event-stream' : 'application/json';
    const marked = withStopMarker(body, stream);
    return new LocalAnswer(
      () => new Response(marked, { status: 200, headers: { 'content-type': contentType, [STOP_HEADER]: STOP_REASON } }),
    );
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
