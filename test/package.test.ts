import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// Runs against the built package (`npm test` builds first): what users install, through its exports map.
const require = createRequire(import.meta.url);

describe('the published package', () => {
  it('loads as ESM and as CJS with the same API, types shipped for both', async () => {
    const esm = await import('tokenfence');
    const cjs = require('tokenfence') as typeof esm;
    for (const name of [
      'guard',
      'TokenFence',
      'BudgetExceededError',
      'KillSwitchError',
      'UnknownModelError',
      'InvalidOptionsError',
      'isBudgetExceededError',
    ]) {
      expect(typeof (esm as Record<string, unknown>)[name], name).toBe('function');
      expect(typeof (cjs as Record<string, unknown>)[name], name).toBe('function');
    }
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, { import: { types: string }; require: { types: string } }>;
    };
    for (const entry of ['.', './testing']) {
      expect(existsSync(new URL(`../${manifest.exports[entry]?.import.types}`, import.meta.url))).toBe(true);
      expect(existsSync(new URL(`../${manifest.exports[entry]?.require.types}`, import.meta.url))).toBe(true);
    }
    expect(typeof (await import('tokenfence/testing')).startMockProvider).toBe('function');
  });

  it('recognises errors and scopes across two copies of the package (ESM and CJS in one process)', async () => {
    const esm = await import('tokenfence');
    const cjs = require('tokenfence') as typeof esm;
    const error = new cjs.BudgetExceededError({ label: 'x', budget: 1, spent: 1, reserved: 0, requested: 0.5 });
    expect(error instanceof esm.BudgetExceededError).toBe(false);
    expect(esm.isBudgetExceededError(error)).toBe(true);
    expect(esm.TokenFenceError.isInstance(error)).toBe(true);
    expect(esm.isKillSwitchError(error)).toBe(false);
    const parent = new cjs.TokenFence({ budget: 2, label: 'workflow' });
    const child = new esm.TokenFence({ parent, share: 0.25, label: 'agent' });
    expect(child.budget).toBe(0.5);
    parent.kill('stop');
    expect(child.killed).toBe(true);
  });
});
