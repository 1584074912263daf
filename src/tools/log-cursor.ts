// query_logs cursors are ours, not the engine's: a reply may stop early to stay in budget, in the
// middle of the engine's page, so the cursor records the filter and the last seq returned. Paging
// then needs only the seq bounds of LogQuery, which every engine supports.
import type { LogQuery } from '../core/types.js';
import { ToolInputError } from './results.js';

export type CursorFilter = Omit<LogQuery, 'limit' | 'cursor' | 'fromSeq' | 'toSeq'>;

interface CursorState {
  v: 1;
  filter: CursorFilter;
  /** Seq of the last entry returned; the next page starts past it in the filter's order. */
  after: number;
}

export function encodeCursor(filter: CursorFilter, after: number): string {
  const state: CursorState = { v: 1, filter, after };
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { filter: CursorFilter; after: number } {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorState>;
    if (state.v === 1 && typeof state.after === 'number' && state.filter && typeof state.filter === 'object') {
      return { filter: state.filter, after: state.after };
    }
  } catch {
    // fall through to the error below
  }
  throw new ToolInputError('cursor is not one this server issued', 'repeat the query without cursor to start again');
}

/** The engine query for the page that follows `after` (or the first page when absent). */
export function pageQuery(filter: CursorFilter, limit: number, after?: number): LogQuery {
  const query: LogQuery = { ...filter, limit };
  if (after !== undefined) {
    if (filter.order === 'asc') query.fromSeq = after + 1;
    else query.toSeq = after;
  }
  return query;
}
