// The SDK's real Client connected to createServer over InMemoryTransport.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { createServer, type ServerDeps, type ServerHandle } from '../../src/server.js';

export interface McpPair {
  client: Client;
  handle: ServerHandle;
  close(): Promise<void>;
}

export async function connectPair(
  deps: ServerDeps,
  capabilities: ClientCapabilities = {},
  prepare?: (client: Client) => void,
): Promise<McpPair> {
  const handle = createServer(deps);
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities });
  prepare?.(client);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await handle.server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    handle,
    async close() {
      await client.close();
      await handle.close();
    },
  };
}
