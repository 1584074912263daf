// `pm2-log-monitor patterns [FILE...]`: mines the templates of any log file (stdin when no file) and
// prints the most frequent ones. Lines are read one at a time; the miner's state is bounded. Only
// `--jsonl` keeps one reference per input line, because it prints each line's template as it stands
// at the end of the input.
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { TemplateMiner } from '../analysis/miner/template-miner.js';
import type { PatternSummary } from '../core/types.js';
import { parseEntry, type SourceContext } from '../ingest/parse-entry.js';
import { stripPm2Prefix } from '../ingest/pm2-prefix.js';
import { table } from './format.js';

export interface PatternsIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE = `Usage: pm2-log-monitor patterns [options] [FILE...]

Groups log lines into templates, with <*> for their variable parts, and prints the most frequent.
Reads stdin when no FILE is given. PM2 --time prefixes are removed and JSON log lines (pino,
winston, bunyan) are mined on their message.

Options:
  --top N          patterns to print (default 20)
  --format FORMAT  table (default) or json (the pattern summaries)
  --jsonl          one JSON object per input line, in input order:
                   {"line": N, "templateId": "...", "template": "..."}
  -h, --help       show this help
`;

const DEFAULT_TOP = 20;

class UsageError extends Error {}

interface Options {
  files: string[];
  top: number;
  format: 'table' | 'json' | 'jsonl';
}

function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        top: { type: 'string' },
        format: { type: 'string' },
        jsonl: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  let top = DEFAULT_TOP;
  if (values.top !== undefined) {
    if (!/^\d+$/.test(values.top) || Number(values.top) < 1) throw new UsageError(`--top must be a positive integer, got '${values.top}'`);
    top = Number(values.top);
  }
  if (values.format !== undefined && values.format !== 'table' && values.format !== 'json') {
    throw new UsageError(`--format must be 'table' or 'json', got '${values.format}'`);
  }
  if (values.jsonl === true && values.format !== undefined) throw new UsageError('--jsonl cannot be combined with --format');
  const format = values.jsonl === true ? 'jsonl' : values.format === 'json' ? 'json' : 'table';
  return { files: positionals, top, format };
}

class ReadError extends Error {}

async function* linesOf(files: string[], stdin: NodeJS.ReadableStream): AsyncGenerator<string> {
  if (files.length === 0) {
    yield* createInterface({ input: stdin, crlfDelay: Infinity });
    return;
  }
  for (const file of files) {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw new ReadError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const stream = handle.createReadStream({ encoding: 'utf8' });
    // Read errors (a directory, an I/O error) come as stream events: race them against each line.
    const failed = new Promise<never>((_, reject) => stream.once('error', (e) => reject(new ReadError(`cannot read ${file}: ${e.message}`))));
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    const iterator = lines[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([iterator.next(), failed]);
      if (next.done === true) break;
      yield next.value;
    }
  }
}

const SOURCE: SourceContext = { process: 'stdin', pmId: -1, stream: 'out' };

async function mine(options: Options, io: PatternsIo): Promise<{ miner: TemplateMiner; lines: number; ids: string[]; last: Map<string, string> }> {
  const miner = new TemplateMiner();
  const ids: string[] = [];
  const last = new Map<string, string>();
  let lines = 0;
  for await (const line of linesOf(options.files, io.stdin)) {
    lines++;
    const now = Date.now();
    const prefix = stripPm2Prefix(line, undefined, now);
    const entry = parseEntry(prefix?.text ?? line, SOURCE, now, prefix?.time);
    const result = miner.add(entry.message, { timestamp: entry.timestamp, level: entry.level });
    if (options.format === 'jsonl') {
      ids.push(result.id);
      if (result.isNew || last.get(result.id) !== result.template) last.set(result.id, result.template);
    }
  }
  return { miner, lines, ids, last };
}

/** Writes with backpressure; a reader that went away (`| head`) ends the output quietly. */
async function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (closed.has(stream)) return;
  if (stream.write(text)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('error', done);
  });
}

const closed = new WeakSet<NodeJS.WritableStream>();

function watchForClose(stream: NodeJS.WritableStream): () => void {
  const onError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed.add(stream);
  };
  stream.on('error', onError);
  return () => stream.off('error', onError);
}

function renderTable(patterns: PatternSummary[], lines: number, total: number): string {
  if (lines === 0) return 'No lines read.\n';
  const rows = patterns.map((p) => [p.count, `${((p.count / lines) * 100).toFixed(1)}%`, p.id, p.template === '' ? '(empty line)' : p.template]);
  const shown = patterns.length < total ? `top ${patterns.length} of ${total} patterns` : `${total} patterns`;
  return `${table(['count', 'share', 'id', 'template'], rows, 120)}\n${lines} lines, ${shown}\n`;
}

export async function runPatternsCommand(argv: string[], io: PatternsIo): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`pm2-log-monitor patterns: ${error.message}\nRun 'pm2-log-monitor patterns --help' for usage.\n`);
    return 2;
  }
  if (options === 'help') {
    await write(io.stdout, USAGE);
    return 0;
  }
  let mined;
  try {
    mined = await mine(options, io);
  } catch (error) {
    if (!(error instanceof ReadError)) throw error;
    io.stderr.write(`pm2-log-monitor patterns: ${error.message}\n`);
    return 1;
  }
  const { miner, lines, ids, last } = mined;
  const unwatch = watchForClose(io.stdout);
  try {
    await print(options, miner, lines, ids, last, io.stdout);
  } finally {
    unwatch();
  }
  return 0;
}

async function print(options: Options, miner: TemplateMiner, lines: number, ids: string[], last: Map<string, string>, stdout: NodeJS.WritableStream): Promise<void> {
  if (options.format === 'jsonl') {
    const resolved = new Map<string, { id: string; template: string }>();
    let chunk = '';
    for (let i = 0; i < ids.length; i++) {
      let final = resolved.get(ids[i]);
      if (final === undefined) {
        const id = miner.resolveId(ids[i]);
        const summary = id === undefined ? undefined : miner.summary(id);
        final = summary === undefined ? { id: ids[i], template: last.get(ids[i]) ?? '' } : { id: summary.id, template: summary.template };
        resolved.set(ids[i], final);
      }
      chunk += `${JSON.stringify({ line: i + 1, templateId: final.id, template: final.template })}\n`;
      if (chunk.length > 65_536) {
        await write(stdout, chunk);
        if (closed.has(stdout)) return;
        chunk = '';
      }
    }
    await write(stdout, chunk);
    return;
  }
  const patterns = miner.summaries({ limit: options.top });
  if (options.format === 'json') {
    await write(stdout, `${JSON.stringify({ lines, total: miner.size, returned: patterns.length, patterns }, null, 2)}\n`);
  } else {
    await write(stdout, renderTable(patterns, lines, miner.size));
  }
}
