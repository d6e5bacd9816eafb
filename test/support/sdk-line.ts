import { beforeAll, describe } from 'vitest';

/** One major line of an SDK under contract test: its name, how to load it, the Node it needs. */
export interface SdkLine<M> {
  /** e.g. 'openai 7' — names the suite. */
  name: string;
  /** Loads the package (an npm alias for a second copy). Dynamic, so a Node it does not support never loads it. */
  load: () => Promise<M>;
  /** The oldest Node the package's `engines` accepts. @default any */
  node?: { major: number; minor?: number };
}

const [runningMajor = 0, runningMinor = 0] = process.versions.node.split('.').map(Number);

/** Why the line cannot run on this Node, or undefined when it can. */
export function unsupportedNodeReason(line: Pick<SdkLine<unknown>, 'name' | 'node'>): string | undefined {
  if (!line.node) return undefined;
  const { major, minor = 0 } = line.node;
  if (runningMajor > major || (runningMajor === major && runningMinor >= minor)) return undefined;
  return `skipped: ${line.name} needs Node ≥ ${major}.${minor}, this is Node ${process.versions.node}`;
}

/**
 * A describe block for one SDK line, skipped (with the Node requirement in its title) on a Node the package
 * does not support; `body` gets the loaded module through a getter (it is loaded before the first test).
 */
export function describeSdkLine<M>(line: SdkLine<M>, body: (sdk: () => M) => void): void {
  const reason = unsupportedNodeReason(line);
  describe.skipIf(reason !== undefined)(reason ? `${line.name} (${reason})` : line.name, () => {
    let loaded: M | undefined;
    beforeAll(async () => {
      loaded = await line.load();
    });
    body(() => {
      if (loaded === undefined) throw new Error(`${line.name} is not loaded`);
      return loaded;
    });
  });
}
