import { describeIoredisContract, type IoredisModule } from './contracts/ioredis-contract.js';

describeIoredisContract({
  name: 'ioredis 5',
  load: async () => (await import('ioredis')) as unknown as IoredisModule,
});
