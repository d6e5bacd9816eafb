export { type GuardedFetchProvider, type GuardFetchOptions, guardFetch } from './guarded-fetch.js';
