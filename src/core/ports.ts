// Small interfaces for the places where real I/O happens or where there are two implementations.
// Named after the original spec's Pantheon ports where they fit.
import type { AnalysisResult, LogEntry } from './types.js';

/** Time as the core sees it: injected so that tests control it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface LlmRequest {
  system: string;
  user: string;
  maxTokens: number;
  signal?: AbortSignal;
}

export interface LlmResponse {
  text: string;
  model: string;
  inputTokens?: number;
  outputTokens?: number;
}

/** A model that completes one prompt. The analysis LLM gets no tools. */
export interface LlmPort {
  readonly kind: 'openai' | 'sampling';
  complete(request: LlmRequest): Promise<LlmResponse>;
}

/** Compiles an analysis window into a token-budgeted prompt context. */
export interface ContextPort {
  compile(result: AnalysisResult, entries: readonly LogEntry[]): { text: string; tokens: number; evidenceIds: string[] };
}

/** Runs work off the capture path: one step per trigger. */
export interface ActorPort<TInput, TOutput> {
  start(): void;
  stop(): Promise<void>;
  step(input: TInput): Promise<TOutput>;
}
