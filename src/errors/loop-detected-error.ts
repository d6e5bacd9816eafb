import { hasCode, TokenFenceError } from './token-fence-error.js';

/** The same model was asked the same prompt more than `maxRepeats` times within the window. */
export class LoopDetectedError extends TokenFenceError {
  readonly label: string;
  readonly model: string;
  readonly repeats: number;
  readonly windowMs: number;

  constructor(label: string, model: string, repeats: number, windowMs: number) {
    super(
      'LOOP_DETECTED',
      `"${label}" sent the same prompt to ${model} ${repeats} times within ${Math.round(windowMs / 1000)} s: refused as a loop.`,
    );
    this.label = label;
    this.model = model;
    this.repeats = repeats;
    this.windowMs = windowMs;
  }

  static override isInstance(error: unknown): error is LoopDetectedError {
    return hasCode(error, 'LOOP_DETECTED');
  }
}

export const isLoopDetectedError = (error: unknown): error is LoopDetectedError => LoopDetectedError.isInstance(error);
