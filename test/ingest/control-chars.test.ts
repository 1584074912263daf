import { describe, expect, it } from 'vitest';
import { cleanText, showControls, stripAnsi } from '../../src/ingest/control-chars.js';

describe('stripAnsi', () => {
  it('removes colours as chalk, winston and pino-pretty write them', () => {
    expect(stripAnsi('\u001b[31merror\u001b[39m: \u001b[1m\u001b[4mboom\u001b[24m\u001b[22m')).toBe('error: boom');
    expect(stripAnsi('\u001b[38;5;196mred\u001b[0m \u001b[38;2;255;0;0mtrue\u001b[m')).toBe('red true');
  });

  it('removes cursor moves, OSC hyperlinks and titles', () => {
    expect(stripAnsi('\u001b[2K\u001b[1Gprogress 50%')).toBe('progress 50%');
    expect(stripAnsi('see \u001b]8;;https://x.dev\u0007docs\u001b]8;;\u0007 now')).toBe('see docs now');
    expect(stripAnsi('\u001b]0;title\u001b\\body')).toBe('body');
  });

  it('leaves text without escapes untouched (same string)', () => {
    const text = 'GET /api 200 12ms';
    expect(stripAnsi(text)).toBe(text);
  });
});

describe('showControls', () => {
  it('shows NUL, BEL, lone CR, DEL and C1 controls, keeps tab and newline', () => {
    expect(showControls('a\u0000b\u0007c\rd\u007fe\u0085f\tg\nh')).toBe('a␀b␇c␍d␡e\\x85f\tg\nh');
  });

  it('makes a broken escape sequence visible instead of passing ESC through', () => {
    expect(cleanText('x\u001b')).toBe('x␛');
  });

  it('turns binary garbage into printable text without throwing', () => {
    const garbage = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('utf8');
    const clean = cleanText(garbage);
    expect(clean).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(clean).toContain('\ufffd');
  });
});
