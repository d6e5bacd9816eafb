/**
 * What a refused call returns in place of the SDK's `APIPromise`: it rejects only when awaited (so a
 * caller who uses just `.withResponse()` gets no stray unhandled rejection), and it has the same helpers.
 */
export class DeniedApiPromise<T = never> extends Promise<T> {
  static override get [Symbol.species]() {
    return Promise;
  }

  readonly #error: unknown;

  constructor(error: unknown) {
    super((resolve) => resolve(undefined as T));
    this.#error = error;
  }

  // biome-ignore lint/suspicious/noThenProperty: a Promise subclass must override then() to stay lazy.
  override then<A = T, B = never>(
    onFulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return Promise.reject(this.#error).then(onFulfilled, onRejected);
  }

  override catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.then(undefined, onRejected);
  }

  override finally(onFinally?: (() => void) | null): Promise<T> {
    return Promise.reject(this.#error).finally(onFinally) as Promise<T>;
  }

  parse(): Promise<T> {
    return Promise.reject(this.#error);
  }

  asResponse(): Promise<Response> {
    return Promise.reject(this.#error);
  }

  withResponse(): Promise<never> {
    return Promise.reject(this.#error);
  }
}
