// Loads the Loghub-2k labelled samples: raw lines with their headers stripped by each system's given
// log format (as the log-parsing literature does before mining), and the ground-truth event ids.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LabelledSystem {
  name: string;
  /** Message content after the header. */
  contents: string[];
  /** Ground-truth event id per line. */
  events: string[];
  /** Lines whose header did not match the format (their whole line is mined). */
  unmatched: number;
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The format `<Date> <Time> <Level> <Component>: <Content>` as a regex with a Content group. */
export function formatRegex(format: string): RegExp {
  let source = '';
  for (const part of format.split(/(<[^<>]+>)/)) {
    if (part.startsWith('<') && part.endsWith('>')) source += `(?<${part.slice(1, -1)}>.*?)`;
    else if (part !== '') source += part.replace(/ +/g, '\\s+');
  }
  return new RegExp(`^${source}$`);
}

export async function loadSystem(root: string, name: string, format: string): Promise<LabelledSystem> {
  const dir = join(root, name);
  const raw = (await readFile(join(dir, `${name}_2k.log`), 'utf8')).split(/\r?\n/);
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const rows = parseCsv(await readFile(join(dir, `${name}_2k.log_structured.csv`), 'utf8'));
  const header = rows[0];
  const eventCol = header.indexOf('EventId');
  const labelled = rows.slice(1).filter((r) => r.length === header.length);
  if (labelled.length !== raw.length) throw new Error(`${name}: ${raw.length} raw lines but ${labelled.length} labels`);
  const re = formatRegex(format);
  let unmatched = 0;
  const contents = raw.map((line) => {
    const m = re.exec(line.trim());
    if (m?.groups?.Content === undefined) {
      unmatched++;
      return line;
    }
    return m.groups.Content.trim();
  });
  return { name, contents, events: labelled.map((r) => r[eventCol]), unmatched };
}

export async function loadFormats(root: string): Promise<Record<string, string>> {
  const json = JSON.parse(await readFile(join(root, 'formats.json'), 'utf8')) as Record<string, { log_format: string }>;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, v.log_format]));
}

/**
 * Grouping Accuracy: a message counts as correct when its predicted group holds exactly the messages
 * of its ground-truth group.
 */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const groups = new Map<string, { size: number; truths: Set<string> }>();
  predicted.forEach((p, i) => {
    let g = groups.get(p);
    if (g === undefined) {
      g = { size: 0, truths: new Set() };
      groups.set(p, g);
    }
    g.size++;
    g.truths.add(truth[i]);
  });
  let correct = 0;
  for (const g of groups.values()) {
    if (g.truths.size !== 1) continue;
    const [t] = g.truths;
    if (truthSize.get(t) === g.size) correct += g.size;
  }
  return predicted.length === 0 ? 0 : correct / predicted.length;
}
