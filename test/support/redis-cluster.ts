// A three-master Redis Cluster on loopback, made of real redis-server processes joined by redis-cli.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type RedisServerHandle, startRedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface RedisClusterHandle {
  readonly nodes: readonly RedisServerHandle[];
  dispose(): Promise<void>;
}

export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const nodes = await Promise.all([0, 1, 2].map(() => startRedisServer({ cluster: true, appendfsync: 'everysec' })));
  const dispose = async () => {
    await Promise.all(nodes.map((node) => node.dispose()));
  };
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    // Every node must agree before a cluster client can route: wait for cluster_state:ok everywhere.
    const deadline = Date.now() + 10_000;
    for (const node of nodes) {
      for (;;) {
        const { stdout } = await run('redis-cli', ['-p', String(node.port), 'cluster', 'info']);
        if (stdout.includes('cluster_state:ok')) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${node.port} never reached cluster_state:ok`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { nodes, dispose };
}
