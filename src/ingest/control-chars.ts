// Turns captured bytes into text a person (or a model) can read safely: terminal escape sequences
// removed, other control characters shown as symbols instead of acting on a terminal.

// CSI (colours, cursor moves), OSC (titles, hyperlinks; ended by BEL or ST), and the two-character
// escapes; the 8-bit CSI introducer U+009B too.
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

// Everything but tab and newline below U+0020, DEL, the C1 block, and a stray ESC left by a broken sequence.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  // U+2400..U+241F are the Unicode "control pictures" (␀ ␁ ... ␟); DEL has ␡.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\\x${code.toString(16)}`;
}

/** Removes ANSI/VT escape sequences. */
export function stripAnsi(text: string): string {
  return text.indexOf('\u001b') === -1 && text.indexOf('\u009b') === -1 ? text : text.replace(ANSI, '');
}

/** Shows control characters (but tab and newline) as visible symbols: NUL becomes ␀, 0x85 becomes `\x85`. */
export function showControls(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(CONTROL, visible) : text;
}

/** The message form of captured text: escapes stripped, then controls made visible. Never throws. */
export function cleanText(text: string): string {
  // Both introducers are controls too: one scan tells that most lines need neither step.
  return HAS_CONTROL.test(text) ? showControls(stripAnsi(text)) : text;
}
