import { describe, expect, it } from 'vitest';
import { LineAssembler, cutUtf8, truncationMarker } from '../../src/ingest/line-assembler.js';

const texts = (lines: { text: string }[]) => lines.map((line) => line.text);

describe('LineAssembler', () => {
  it('returns complete lines and keeps the partial tail for the next chunk', () => {
    const assembler = new LineAssembler();
    expect(texts(assembler.push('first\nsec'))).toEqual(['first']);
    expect(assembler.pendingBytes).toBe(3);
    expect(texts(assembler.push('ond\nthird\nfou'))).toEqual(['second', 'third']);
    expect(assembler.flush()).toEqual([{ text: 'fou', truncatedBytes: 0 }]);
    expect(assembler.flush()).toEqual([]);
    expect(assembler.pendingBytes).toBe(0);
  });

  it('keeps empty lines and strips CRLF, also when the CR and LF arrive in different chunks', () => {
    const assembler = new LineAssembler();
    expect(texts(assembler.push('a\r\n\r\nb\r'))).toEqual(['a', '']);
    expect(texts(assembler.push('\nc\rd\n'))).toEqual(['b', 'c\rd']);
  });

  it('decodes a UTF-8 character split across two reads', () => {
    const bytes = Buffer.from('café ✓ 😀\n', 'utf8');
    const assembler = new LineAssembler();
    const lines = [];
    // Every split point, including inside the 2-, 3- and 4-byte characters.
    for (let i = 0; i < bytes.length; i++) lines.push(...assembler.push(bytes.subarray(i, i + 1)));
    expect(texts(lines)).toEqual(['café ✓ 😀']);
  });

  it('turns invalid UTF-8 into U+FFFD and a character cut by the end of the stream too', () => {
    const assembler = new LineAssembler();
    expect(texts(assembler.push(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a])))).toEqual(['a\ufffd\ufffdb']);
    assembler.push(Buffer.from([0x78, 0xe2, 0x9c]));
    expect(texts(assembler.flush())).toEqual(['x\ufffd']);
  });

  it('does not lose a stranded partial character when a string chunk follows a Buffer', () => {
    const assembler = new LineAssembler();
    assembler.push(Buffer.from([0x61, 0xe2]));
    expect(texts(assembler.push('b\n'))).toEqual(['a\ufffdb']);
  });

  it('joins a 70,000-char line that PM2 delivers as 65,536 chars plus the rest', () => {
    const line = 'x'.repeat(69_990) + ' [the end]';
    const chunk = Buffer.from(`${line}\nnext\n`);
    const assembler = new LineAssembler({ maxLineBytes: 100_000 });
    expect(assembler.push(chunk.subarray(0, 65_536))).toEqual([]);
    expect(assembler.pendingBytes).toBe(65_536);
    expect(assembler.push(chunk.subarray(65_536))).toEqual([
      { text: line, truncatedBytes: 0 },
      { text: 'next', truncatedBytes: 0 },
    ]);
  });

  it('cuts a line over the default 64 KiB cap with a visible marker, and the next line still arrives', () => {
    const line = 'y'.repeat(70_000);
    const assembler = new LineAssembler();
    assembler.push(line.slice(0, 65_536));
    const [cut, next] = assembler.push(`${line.slice(65_536)}\nafter\n`);
    expect(cut.truncatedBytes).toBe(70_000 - 65_536);
    expect(cut.text).toBe('y'.repeat(65_536) + truncationMarker(4464));
    expect(cut.text.endsWith(' …[truncated 4464 bytes]')).toBe(true);
    expect(next).toEqual({ text: 'after', truncatedBytes: 0 });
  });

  it('cuts a 10 MB line written in one chunk, never in the middle of a character', () => {
    const line = '€'.repeat(3_500_000); // 3 bytes each: 10.5 MB
    const assembler = new LineAssembler({ maxLineBytes: 1000 });
    const [cut, next] = assembler.push(Buffer.from(`${line}\nok\n`));
    const kept = cut.text.slice(0, cut.text.indexOf(' …['));
    expect(kept).toBe('€'.repeat(333));
    expect(cut.truncatedBytes).toBe(10_500_000 - 999);
    expect(next.text).toBe('ok');
  });

  it('keeps memory bounded when 200 MB arrive without a newline, and counts every dropped byte', () => {
    const assembler = new LineAssembler();
    const block = Buffer.alloc(1 << 20, 0x41);
    let peak = 0;
    for (let i = 0; i < 200; i++) {
      expect(assembler.push(block)).toEqual([]);
      peak = Math.max(peak, assembler.pendingBytes);
    }
    expect(peak).toBeLessThanOrEqual(65_536);
    const [line, next] = assembler.push('tail\nnext\n');
    expect(line.truncatedBytes).toBe(200 * (1 << 20) + 4 - 65_536);
    expect(line.text.startsWith('A'.repeat(65_536) + ' …[truncated ')).toBe(true);
    expect(next).toEqual({ text: 'next', truncatedBytes: 0 });
    expect(assembler.pendingBytes).toBe(0);
  });

  it('cuts the unfinished tail at flush too', () => {
    const assembler = new LineAssembler({ maxLineBytes: 16 });
    assembler.push('0123456789abcdefXYZ');
    expect(assembler.flush()).toEqual([{ text: '0123456789abcdef' + truncationMarker(3), truncatedBytes: 3 }]);
  });

  it('never throws on binary garbage', () => {
    const assembler = new LineAssembler({ maxLineBytes: 64 });
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    let lines = 0;
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.alloc(1 + (i % 97));
      for (let j = 0; j < chunk.length; j++) chunk[j] = random();
      lines += assembler.push(chunk).length;
      expect(assembler.pendingBytes).toBeLessThanOrEqual(64);
    }
    lines += assembler.flush().length;
    expect(lines).toBeGreaterThan(0);
  });

  it('tolerates a payload that is not text', () => {
    const assembler = new LineAssembler();
    expect(assembler.push(undefined as unknown as string)).toEqual([]);
    expect(texts(assembler.push(42 as unknown as string))).toEqual([]);
    expect(texts(assembler.push(new Uint8Array([0x0a]) as Buffer))).toEqual(['42']);
  });

  it('rejects a cap too small to hold anything', () => {
    expect(() => new LineAssembler({ maxLineBytes: 0 })).toThrow('maxLineBytes must be an integer >= 16, got 0');
    expect(() => new LineAssembler({ maxLineBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('cutUtf8', () => {
  it('cuts on a character boundary and reports the bytes dropped', () => {
    expect(cutUtf8('ab😀c', 4)).toEqual({ head: 'ab', droppedBytes: 5 });
    expect(cutUtf8('ab😀c', 6)).toEqual({ head: 'ab😀', droppedBytes: 1 });
    expect(cutUtf8('short', 10)).toEqual({ head: 'short', droppedBytes: 0 });
  });
});
