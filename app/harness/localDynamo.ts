import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

export interface LocalDynamo {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export interface LocalDynamoOptions {
  /** Folder to keep the data in; in memory when absent. */
  path?: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
}

/**
 * Starts dynalite, a DynamoDB-compatible server written in Node, on loopback. Used by
 * `npm run dev`, the tests and the benchmarks: no AWS account, no Docker, no Java.
 */
export function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  // Tables become ACTIVE at once instead of after dynalite's default simulated delay.
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        port,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // The SDK keeps idle keep-alive sockets open; without this close() would wait for them.
            server.closeAllConnections();
          }),
      });
    });
  });
}
