// The calling client's own model as an LlmPort, through MCP sampling. The analysis model gets no
// tools and no context from the client's other servers: only our system prompt and one user turn.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { LlmPort, LlmRequest, LlmResponse } from '../../core/ports.js';

/** Cap on what one sampling call may ask of the user's model, whatever the engine requests. */
export const SAMPLING_MAX_TOKENS = 4_096;

/** Whether the connected client declared the sampling capability. */
export function clientSupportsSampling(server: Server): boolean {
  return server.getClientCapabilities()?.sampling !== undefined;
}

export function createSamplingLlm(server: Server, maxTokensCap = SAMPLING_MAX_TOKENS): LlmPort {
  return {
    kind: 'sampling',
    async complete(request: LlmRequest): Promise<LlmResponse> {
      const result = await server.createMessage(
        {
          messages: [{ role: 'user', content: { type: 'text', text: request.user } }],
          systemPrompt: request.system,
          maxTokens: Math.max(1, Math.min(request.maxTokens, maxTokensCap)),
          includeContext: 'none',
        },
        { signal: request.signal },
      );
      if (result.content.type !== 'text') {
        throw new Error(`the client's model answered with ${result.content.type} content; text was expected`);
      }
      return { text: result.content.text, model: result.model };
    },
  };
}

/** The client's model for one analysis, when it offers sampling and the caller did not refuse a model. */
export function samplingFor(server: Server, useLlm: boolean | undefined): LlmPort | undefined {
  if (useLlm === false || !clientSupportsSampling(server)) return undefined;
  return createSamplingLlm(server);
}
