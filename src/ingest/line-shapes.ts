// The shapes of single lines that the record grouper decides on. Each test looks at a character or
// two before it runs a regular expression: these run once per captured line.

const ERROR_HEAD = /^(?:Uncaught )?(?:[A-Z][A-Za-z]*)?(?:Error|Exception)(?: \[[A-Z_]+\])?: /;
const LEADING_TIME = /^\d{4}[-/]\d\d[-/]\d\d|^\d\d:\d\d:\d\d/;
const FRAME_HEADER = /^(?:\/|node:|file:\/\/|[A-Za-z]:[\\/]).*:\d+$/;
const SPACE = 32;
const TAB = 9;

/** Empty or only spaces and tabs. */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== SPACE && code !== TAB) return false;
  }
  return true;
}

/** The `   ^` line under a code frame's source line. */
export function isCaretLine(text: string): boolean {
  let carets = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 94) carets++;
    else if (code !== SPACE && code !== TAB) return false;
  }
  return carets > 0;
}

/** `/app/x.js:3`, `node:internal/...:289`, `file:///app/x.mjs:1`: the first line of a code frame. */
export function isFrameHeader(text: string): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (last < 48 || last > 57) return false;
  // '/', 'n' (node:), 'f' (file://), or a drive letter.
  if (first !== 47 && first !== 110 && first !== 102 && text.charCodeAt(1) !== 58) return false;
  return FRAME_HEADER.test(text);
}

/** `Error: msg`, `TypeError [ERR_X]: msg`, `Uncaught Error: msg`. */
export function isErrorHead(text: string): boolean {
  const first = text.charCodeAt(0);
  return first >= 65 && first <= 90 && ERROR_HEAD.test(text);
}

/** A line that plainly starts a new entry: a time, a bracketed tag, a JSON object, another error. */
export function startsNewEntry(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) return LEADING_TIME.test(text);
  return first === 91 || first === 123 || isErrorHead(text);
}

/** Ends with `{`, `[` or `(`: a block follows. */
export function endsWithOpener(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return last === 123 || last === 91 || last === 40;
}
