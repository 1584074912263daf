// Which model an analysis uses: `auto` tries an OpenAI-compatible endpoint (when one is configured),
// then the MCP client's own model (when the calling session offers sampling), then none.
import type { LlmPort } from '../../core/ports.js';
import { OpenAiLlm } from './openai-llm.js';

export interface LlmSettings {
  mode: 'auto' | 'openai' | 'sampling' | 'none';
  baseUrl?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

/** An endpoint counts as configured when it has a key (OpenAI) or an explicit base URL (a local server). */
export function openAiConfigured(settings: LlmSettings): boolean {
  return Boolean(settings.apiKey || settings.baseUrl);
}

export function createOpenAiLlm(settings: LlmSettings): OpenAiLlm | undefined {
  if (!openAiConfigured(settings)) return undefined;
  return new OpenAiLlm({ baseUrl: settings.baseUrl, apiKey: settings.apiKey, model: settings.model, timeoutMs: settings.timeoutMs });
}

export function selectLlm(mode: LlmSettings['mode'], openai: LlmPort | undefined, sampling: LlmPort | undefined): LlmPort | undefined {
  switch (mode) {
    case 'none':
      return undefined;
    case 'openai':
      return openai;
    case 'sampling':
      return sampling;
    case 'auto':
      return openai ?? sampling;
  }
}
