import { defineConfig } from 'tsdown';

// SDKs are the user's: never bundled (the demo imports them at run time, if installed).
const external = [
  /^openai(\/|$)/,
  /^@anthropic-ai\//,
  /^@google\/genai/,
  /^ai(\/|$)/,
  /^@ai-sdk\//,
  /^better-sqlite3$/,
  /^ioredis$/,
];
const shared = { platform: 'node', target: 'node20', shims: true, external } as const;

export default defineConfig([
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      'testing/index': 'src/testing/index.ts',
      'integrations/ai-sdk/index': 'src/integrations/ai-sdk/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    outExtensions: ({ format }) => ({
      js: format === 'cjs' ? '.cjs' : '.mjs',
      dts: format === 'cjs' ? '.d.cts' : '.d.mts',
    }),
  },
  {
    ...shared,
    entry: { 'cli/bin': 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
    outExtensions: () => ({ js: '.mjs' }),
  },
]);
