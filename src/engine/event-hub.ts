// Fan-out of engine events to subscribers (MCP resource notifications, wait_for_event long-polls).
import type { EngineEvent, EngineEventKind } from '../core/engine.js';

export class EventHub {
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  emit(event: EngineEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A faulty subscriber must not stop the others or the capture path that emits.
      }
    }
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  /** The next event of one of `kinds`, or undefined once `timeoutMs` passes or `signal` aborts. */
  waitFor(kinds: readonly EngineEventKind[], timeoutMs: number, signal?: AbortSignal): Promise<EngineEvent | undefined> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(undefined);
      const finish = (event: EngineEvent | undefined) => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
        resolve(event);
      };
      const onAbort = () => finish(undefined);
      const unsubscribe = this.subscribe((event) => {
        if (kinds.includes(event.kind)) finish(event);
      });
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
