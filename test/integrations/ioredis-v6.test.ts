import { describeIoredisContract, type IoredisModule } from './contracts/ioredis-contract.js';

describeIoredisContract({
  name: 'ioredis 6',
  load: async () => (await import('ioredis-v6')) as unknown as IoredisModule,
});
