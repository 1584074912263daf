// Runs analyses one at a time, off the capture path: a trigger storm or a slow model queues work
// here instead of stalling ingestion. Stopping waits for the step in progress.
import type { ActorPort } from '../core/ports.js';

export class ActorStoppedError extends Error {
  override name = 'ActorStoppedError';
  constructor() {
    super('the analysis actor is stopped');
  }
}

export class AnalysisActor<TInput, TOutput> implements ActorPort<TInput, TOutput> {
  private tail: Promise<unknown> = Promise.resolve();
  private running = false;
  private pendingSteps = 0;

  constructor(private readonly work: (input: TInput) => Promise<TOutput>) {}

  start(): void {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.tail;
  }

  /** Queues one analysis; it starts when the previous one has finished. */
  step(input: TInput): Promise<TOutput> {
    if (!this.running) return Promise.reject(new ActorStoppedError());
    this.pendingSteps++;
    const run = async () => {
      try {
        return await this.work(input);
      } finally {
        this.pendingSteps--;
      }
    };
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => undefined);
    return next;
  }

  get pending(): number {
    return this.pendingSteps;
  }
}
