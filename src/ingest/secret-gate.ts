// The pre-check every log line passes before redaction: may this text hold a secret at all? It is
// one pass over the characters with a precomputed automaton (Aho-Corasick, as a full table), because
// running the hint regexes one after another cost more than parsing the line: a regex alternation
// of a few dozen literals scans at about 4 ns per character, this table at about 1.
//
// It answers true for a superset of what the redaction rules look for: any hint literal, in any
// ASCII case, and any run of digits that could be a card number. False is a promise that no rule
// would change the text; true only means the rules must run.

/** Characters outside ASCII never take part in a hint: the hints are ASCII and /i folds only ASCII. */
const ALPHABET = 128;
/** A transition into this value means a literal ended here. */
const MATCH = -1;

export interface SecretGateOptions {
  /** Literals looked for regardless of ASCII case. */
  literals: readonly string[];
  /** Digits in a run (single spaces or dashes allowed between them) that make a card-number candidate. */
  cardDigits: number;
}

export interface SecretGate {
  mayHoldSecret(text: string): boolean;
}

function fold(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** The literals as a deterministic automaton: next state = table[state * 128 + char]. */
function buildTable(literals: readonly string[]): Int16Array {
  const goto: Array<Map<number, number>> = [new Map()];
  const accepts: boolean[] = [false];
  for (const literal of literals) {
    if (literal.length === 0) throw new RangeError('a secret hint literal must not be empty');
    let state = 0;
    for (let i = 0; i < literal.length; i++) {
      const code = fold(literal.charCodeAt(i));
      if (code >= ALPHABET) throw new RangeError(`secret hint literals are ASCII, got ${JSON.stringify(literal)}`);
      let next = goto[state].get(code);
      if (next === undefined) {
        next = goto.length;
        goto.push(new Map());
        accepts.push(false);
        goto[state].set(code, next);
      }
      state = next;
    }
    accepts[state] = true;
  }
  if (goto.length > 32_767) throw new RangeError('too many secret hint literals for the gate');
  const table = new Int16Array(goto.length * ALPHABET);
  const fail = new Int32Array(goto.length);
  // Breadth first, so that a state's failure target is complete before the state is.
  const queue: number[] = [0];
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head];
    for (let code = 0; code < ALPHABET; code++) {
      const child = goto[state].get(fold(code));
      const fallback = state === 0 ? 0 : table[fail[state] * ALPHABET + code];
      if (child === undefined) {
        table[state * ALPHABET + code] = fallback;
        continue;
      }
      table[state * ALPHABET + code] = child;
      // A child reached again through another case of the same letter is queued once.
      if (code === fold(code)) {
        fail[child] = fallback;
        if (accepts[fail[child]]) accepts[child] = true;
        queue.push(child);
      }
    }
  }
  // Accepting states are never entered: the step into them reports the match instead.
  for (let i = 0; i < table.length; i++) if (table[i] > 0 && accepts[table[i]]) table[i] = MATCH;
  return table;
}

export function createSecretGate(options: SecretGateOptions): SecretGate {
  const states = buildTable(options.literals);
  // Each entry holds the next state's row offset, so that a step is one load and one add.
  const table = Int32Array.from(states, (next) => (next === MATCH ? MATCH : next * ALPHABET));
  const cardDigits = options.cardDigits;
  return {
    mayHoldSecret(text: string): boolean {
      let row = 0;
      let digits = 0;
      let afterDigit = false;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code >= ALPHABET) {
          row = 0;
          digits = 0;
          continue;
        }
        row = table[row + code];
        if (row === MATCH) return true;
        if (code <= 57 && code >= 48) {
          if (++digits >= cardDigits) return true;
          afterDigit = true;
        } else if (digits !== 0) {
          // One space or dash may sit between two digits of a card number; anything else ends the run.
          if ((code === 32 || code === 45) && afterDigit) afterDigit = false;
          else digits = 0;
        }
      }
      return false;
    },
  };
}
