import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((match) => match[1] as string);
}

/** The top-level part of src/ a file belongs to (`core`, `pricing`, … or `root` for files at src/). */
function layerOf(file: string): string {
  const path = relative(SRC, file);
  return path.includes('/') ? (path.split('/')[0] as string) : 'root';
}

/** What each layer may import. Core logic knows nothing of SDKs, wire formats or the proxy. */
const ALLOWED: Record<string, string[]> = {
  errors: ['errors'],
  core: ['core'],
  events: ['events', 'core'],
  tokens: ['tokens', 'core'],
  pricing: ['pricing', 'core', 'errors'],
  budget: ['budget', 'core', 'errors', 'events', 'tokens', 'pricing'],
  providers: ['providers', 'budget', 'core', 'errors', 'tokens', 'pricing'],
  runs: ['runs', 'budget', 'core', 'errors', 'events', 'ledger'],
  ledger: ['ledger', 'core', 'errors'],
  stores: ['stores', 'ledger', 'budget', 'core', 'errors'],
  reports: ['reports', 'ledger', 'core'],
  alerts: ['alerts', 'events', 'root'],
  anomaly: ['anomaly', 'budget', 'core', 'errors', 'ledger'],
  integrations: [
    'integrations',
    'core',
    'events',
    'errors',
    'budget',
    'pricing',
    'tokens',
    'providers',
    'proxy',
    'ledger',
    'runs',
    'root',
  ],
  cli: ['cli', 'reports', 'ledger', 'stores', 'pricing', 'errors', 'testing', 'dashboard', 'root'],
  dashboard: ['dashboard', 'core', 'reports', 'ledger', 'errors', 'root'],
  proxy: ['proxy', 'providers', 'budget', 'core', 'errors', 'events', 'pricing', 'runs', 'ledger', 'root'],
  testing: ['testing', 'ledger'],
  root: [
    'root',
    'budget',
    'core',
    'errors',
    'events',
    'pricing',
    'proxy',
    'providers',
    'runs',
    'ledger',
    'stores',
    'alerts',
    'anomaly',
    'reports',
    'integrations',
    'dashboard',
  ],
};

describe('architecture', () => {
  const files = sourceFiles(SRC);

  it.each(files.map((file) => [relative(SRC, file), file]))('%s imports only what its layer may', (_name, file) => {
    const layer = layerOf(file);
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue;
      const target = layerOf(join(file, '..', specifier));
      expect(ALLOWED[layer], `${layer} → ${target} (${specifier})`).toContain(target);
    }
  });

  it('never imports an SDK package at runtime, and each data dependency from exactly one file', () => {
    const importers = (pattern: RegExp) =>
      files.filter((file) => pattern.test(readFileSync(file, 'utf8'))).map((file) => relative(SRC, file));
    expect(
      importers(
        /from '(openai|@anthropic-ai\/sdk|@google\/genai|ai|@ai-sdk\/[^']+|@openai\/agents|@langchain\/[^']+)'/,
      ),
    ).toEqual([]);
    expect(importers(/@pydantic\/genai-prices/)).toEqual(['pricing/genai-prices-source.ts']);
    expect(importers(/gpt-tokenizer/)).toEqual(['tokens/count-tokens.ts']);
  });

  it('writes nothing to the console from library code', () => {
    const offenders = files.filter(
      (file) => !file.includes('/testing/') && /console\.(log|warn|error|info|debug)/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
