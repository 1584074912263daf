// The optional model pass of an analysis: picks the model (configured endpoint, the MCP client's
// sampling, or none), keeps the hourly budget, and never fails the analysis it enriches.
import { ContextCompiler } from '../analysis/llm/context-compiler.js';
import { enrichWithLlm } from '../analysis/llm/llm-analysis.js';
import { LlmBudget } from '../analysis/llm/llm-budget.js';
import { createOpenAiLlm, selectLlm, type LlmSettings } from '../analysis/llm/select-llm.js';
import type { Clock, LlmPort } from '../core/ports.js';
import type { AnalysisResult, LogEntry } from '../core/types.js';

export interface LlmStageSettings extends LlmSettings {
  maxCallsPerHour: number;
  contextTokens: number;
  maxOutputTokens: number;
}

export interface EnrichOptions {
  useLlm?: boolean | 'auto';
  samplingLlm?: LlmPort;
  signal?: AbortSignal;
  onAsking?: (kind: LlmPort['kind']) => void;
}

export class LlmStage {
  private readonly openAi?: LlmPort;
  private readonly budget: LlmBudget;
  private readonly context: ContextCompiler;

  constructor(
    private readonly settings: LlmStageSettings,
    redact: (text: string) => string,
    clock: Clock,
  ) {
    this.openAi = createOpenAiLlm(settings);
    this.budget = new LlmBudget(settings.maxCallsPerHour, clock);
    this.context = new ContextCompiler({ maxTokens: settings.contextTokens, redact });
  }

  /** Models usable without a client's help. */
  available(): string[] {
    return this.openAi ? ['openai'] : [];
  }

  callsThisHour(): number {
    return this.budget.callsThisHour();
  }

  async enrich(result: AnalysisResult, window: readonly LogEntry[], options: EnrichOptions): Promise<AnalysisResult> {
    const llm = options.useLlm === false ? undefined : selectLlm(this.settings.mode, this.openAi, options.samplingLlm);
    if (!llm) {
      if (options.useLlm !== true) return result;
      const note = 'a model was asked for, but none is configured (set OPENAI_API_KEY or llm.baseUrl) and the client offers no sampling: heuristic result';
      return { ...result, notes: [...result.notes, note] };
    }
    options.onAsking?.(llm.kind);
    return enrichWithLlm(result, window, llm, {
      context: this.context,
      maxOutputTokens: this.settings.maxOutputTokens,
      budget: this.budget,
      timeoutMs: this.settings.timeoutMs,
      signal: options.signal,
    });
  }
}
