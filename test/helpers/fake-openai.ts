// A small OpenAI-compatible HTTP server on 127.0.0.1 that stands in for a remote model. It records
// every request and answers according to a queue of scripted behaviours.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  | { kind: 'json'; body: unknown; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: 'text'; content: string }
  | { kind: 'status'; status: number; retryAfter?: number; message?: string }
  | { kind: 'refusal'; refusal: string }
  | { kind: 'hang' };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: { model: string; messages: Array<{ role: string; content: string }>; max_tokens?: number; response_format?: unknown; tools?: unknown };
}

export interface FakeOpenAi {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Behaviours for the next requests, in order; the last one repeats. */
  script(...behaviours: Behaviour[]): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: RecordedRequest[] = [];
  let queue: Behaviour[] = [{ kind: 'text', content: '{}' }];
  const hanging = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    const behaviour = queue.length > 1 ? queue.shift()! : queue[0];
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const completion = (message: Record<string, unknown>, usage = { prompt_tokens: 100, completion_tokens: 50 }) =>
      reply(200, {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: 1,
        model: body.model ?? 'fake-model',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', refusal: null, ...message } }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      });
    switch (behaviour.kind) {
      case 'json':
        return completion({ content: JSON.stringify(behaviour.body) }, behaviour.usage);
      case 'text':
        return completion({ content: behaviour.content });
      case 'refusal':
        return completion({ content: null, refusal: behaviour.refusal });
      case 'status':
        return reply(behaviour.status, { error: { message: behaviour.message ?? `status ${behaviour.status}`, type: 'test' } }, behaviour.retryAfter === undefined ? {} : { 'retry-after': String(behaviour.retryAfter) });
      case 'hang':
        hanging.add(res);
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...behaviours) => {
      queue = behaviours;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
