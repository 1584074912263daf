// Any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio) through
// the `openai` package. Retries are ours, not the SDK's, so that they are bounded and visible.
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { LlmPort, LlmRequest, LlmResponse } from '../../core/ports.js';

export interface OpenAiLlmOptions {
  baseUrl?: string;
  /** Local servers take any key; OpenAI's own needs a real one. */
  apiKey?: string;
  model: string;
  timeoutMs: number;
  /** Retries after the first attempt, for timeouts, 429 and 5xx. */
  maxRetries?: number;
  /** First backoff; doubles each retry, capped at 8 s, or Retry-After when the server sends one. */
  backoffMs?: number;
}

export class LlmCallError extends Error {
  override name = 'LlmCallError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new LlmCallError('aborted'));
    }, { once: true });
  });

function retryable(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  return error instanceof APIError && (error.status === 429 || (error.status ?? 0) >= 500);
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof APIError) || !error.headers) return undefined;
  const value = Number(error.headers.get('retry-after'));
  return Number.isFinite(value) && value >= 0 ? Math.min(value * 1000, 30_000) : undefined;
}

export class OpenAiLlm implements LlmPort {
  readonly kind = 'openai' as const;
  private readonly client: OpenAI;
  /** Some local servers reject `response_format`; after one such refusal we ask in plain text. */
  private jsonMode = true;

  constructor(private readonly options: OpenAiLlmOptions) {
    this.client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: options.apiKey ?? 'not-needed',
      timeout: options.timeoutMs,
      maxRetries: 0,
    });
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const retries = this.options.maxRetries ?? 2;
    const backoff = this.options.backoffMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(request);
      } catch (error) {
        if (error instanceof APIError && error.status === 400 && this.jsonMode && /response_format/i.test(error.message)) {
          this.jsonMode = false;
          continue;
        }
        if (attempt >= retries || !retryable(error) || request.signal?.aborted) throw this.describe(error);
        await sleep(retryAfterMs(error) ?? Math.min(backoff * 2 ** attempt, 8_000), request.signal);
      }
    }
  }

  private async once(request: LlmRequest): Promise<LlmResponse> {
    const completion = await this.client.chat.completions.create(
      {
        model: this.options.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.user },
        ],
        max_tokens: request.maxTokens,
        temperature: 0.1,
        ...(this.jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
      },
      { signal: request.signal },
    );
    const choice = completion.choices?.[0];
    const text = choice?.message?.content ?? '';
    if (choice?.message?.refusal) throw new LlmCallError(`the model refused: ${choice.message.refusal}`);
    return {
      text,
      model: completion.model || this.options.model,
      inputTokens: completion.usage?.prompt_tokens,
      outputTokens: completion.usage?.completion_tokens,
    };
  }

  private describe(error: unknown): LlmCallError {
    if (error instanceof LlmCallError) return error;
    if (error instanceof APIError) return new LlmCallError(`LLM endpoint answered ${error.status ?? 'without status'}: ${error.message}`, error.status);
    return new LlmCallError(`LLM call failed: ${(error as Error).message}`);
  }
}
