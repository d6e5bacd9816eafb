import { hasCode, TokenFenceError } from './token-fence-error.js';

/** The scope (or an ancestor) was killed: later calls are refused, in-flight calls are aborted with this. */
export class KillSwitchError extends TokenFenceError {
  readonly label: string;
  readonly reason: string | undefined;

  constructor(label: string, reason?: string) {
    super('KILL_SWITCH', `TokenFence "${label}" was killed${reason ? `: ${reason}` : ''}. No further calls are sent.`);
    this.label = label;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is KillSwitchError {
    return hasCode(error, 'KILL_SWITCH');
  }
}

export const isKillSwitchError = (error: unknown): error is KillSwitchError => KillSwitchError.isInstance(error);
