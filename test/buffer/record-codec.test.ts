import { describe, expect, it } from 'vitest';
import { deserializeEntry, serializeEntry } from '../../src/buffer/record-codec.js';
import type { LogEntry } from '../../src/core/types.js';
import { makeEntry } from './fixtures/entries.js';

describe('entry serialisation', () => {
  it.each<[string, Partial<LogEntry>]>([
    ['plain', {}],
    ['raw differs, escapes, control bytes', { message: 'say "hi"\\ \n\t\u0001 done', raw: '\u001b[31msay "hi"\u001b[0m' }],
    ['unicode and lone surrogates', { message: 'naïve 日本 🎉 \ud800 end', raw: 'naïve' }],
    ['every optional field', { pid: 7, instance: 2, namespace: 'prod "eu"', fields: { a: [1, { b: 'c' }], 'k"ey': null }, patternId: 'p-1' }],
    ['only a pattern id', { patternId: 'p-2' }],
    ['only fields', { fields: { n: 1 } }],
    ['only a namespace', { namespace: 'default' }],
    ['only an instance', { instance: 0 }],
    ['only a pid', { pid: 123 }],
  ])('round-trips %s as valid JSON', (_, overrides) => {
    const entry: LogEntry = { ...makeEntry(5, overrides), seq: 42 };
    const json = serializeEntry(entry);
    expect(() => JSON.parse(json)).not.toThrow();
    expect(deserializeEntry(json)).toEqual(entry);
  });

  it('stores a non-finite number as null rather than writing invalid JSON', () => {
    const json = serializeEntry({ ...makeEntry(1), seq: 1, timestamp: Number.NaN });
    expect(() => JSON.parse(json)).not.toThrow();
    expect(deserializeEntry(json)).toBeUndefined();
  });
});
