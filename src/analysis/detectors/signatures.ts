// Known failure signatures with concrete recommendations: a refused, timed-out or reset connection
// (naming host:port and the usual service on that port), a port in use, heap exhaustion, file
// descriptor exhaustion, a missing module, SIGKILL / OOM kills, DNS failures, a full disk.
import type { Finding, LogEntry, Severity } from '../../core/types.js';
import { times, type DetectorContext } from './context.js';
import { EvidenceCollector, findingId } from './evidence.js';

const DETECTOR = 'signature';

interface Signature {
  key: string;
  pattern: RegExp;
  /** What the failure is about (host:port, module, port), when the line says. */
  target?: (text: string) => string | undefined;
  /** Occurrences from which it is a warning (below: info) and critical. */
  warnAt: number;
  criticalAt: number;
  title: (target: string | undefined) => string;
  recommendation: (target: string | undefined) => string;
}

const SERVICES: Record<string, { name: string; check: (host: string, port: string) => string }> = {
  '5432': { name: 'PostgreSQL', check: (h, p) => `pg_isready -h ${h} -p ${p}` },
  '3306': { name: 'MySQL', check: (h, p) => `mysqladmin ping -h ${h} -P ${p}` },
  '6379': { name: 'Redis', check: (h, p) => `redis-cli -h ${h} -p ${p} ping` },
  '27017': { name: 'MongoDB', check: (h, p) => `mongosh --host ${h} --port ${p} --eval 'db.runCommand({ ping: 1 })'` },
  '5672': { name: 'RabbitMQ', check: (h, p) => `nc -z ${h} ${p}` },
  '9200': { name: 'Elasticsearch', check: (h, p) => `curl -s http://${h}:${p}/_cluster/health` },
  '11211': { name: 'Memcached', check: (h, p) => `nc -z ${h} ${p}` },
  '9092': { name: 'Kafka', check: (h, p) => `nc -z ${h} ${p}` },
  '1433': { name: 'SQL Server', check: (h, p) => `nc -z ${h} ${p}` },
};

function splitHostPort(target: string): { host: string; port: string } {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i).replace(/^\[|\]$/g, ''), port: target.slice(i + 1) };
}

function service(target: string | undefined): string | undefined {
  return target ? SERVICES[splitHostPort(target).port]?.name : undefined;
}

function hostPortAfter(code: string): (text: string) => string | undefined {
  const inline = new RegExp(`${code}\\s+([^\\s,)'"]+:\\d+)`);
  return (text) => {
    const m = inline.exec(text) ?? /address: '([^']+)',\s*port: (\d+)/.exec(text);
    if (!m) return undefined;
    return m[2] ? `${m[1]}:${m[2]}` : m[1];
  };
}

function to(target: string | undefined): string {
  if (!target) return '';
  const name = service(target);
  return ` to ${target}${name ? ` (${name})` : ''}`;
}

const SIGNATURES: readonly Signature[] = [
  {
    key: 'ECONNREFUSED',
    pattern: /\bECONNREFUSED\b/,
    target: hostPortAfter('ECONNREFUSED'),
    warnAt: 1,
    criticalAt: 10,
    title: (t) => `Connection refused${to(t)}`,
    recommendation: (t) => {
      const what = t ? `${service(t) ?? 'the service'} at ${t}` : 'the dependency the app connects to';
      const hp = t ? splitHostPort(t) : undefined;
      const check = hp ? ` (\`${SERVICES[hp.port]?.check(hp.host, hp.port) ?? `nc -z ${hp.host} ${hp.port}`}\`)` : '';
      return (
        `Nothing accepts connections: check that ${what} is running and reachable from this host${check}, and that the app's ` +
        'host/port settings point to it. Make the app retry with backoff and fail health checks while it is down instead of failing every request.'
      );
    },
  },
  {
    key: 'ETIMEDOUT',
    pattern: /\bETIMEDOUT\b/,
    target: hostPortAfter('ETIMEDOUT'),
    warnAt: 3,
    criticalAt: 20,
    title: (t) => `Connection timed out${to(t)}`,
    recommendation: (t) =>
      `${t ? `${t} does` : 'A dependency does'} not answer in time: check its load and the network path (firewall, security group, DNS), ` +
      'set explicit connect and query timeouts, and bound the connection pool so slow calls do not pile up.',
  },
  {
    key: 'ECONNRESET',
    pattern: /\bECONNRESET\b|socket hang up/,
    target: hostPortAfter('ECONNRESET'),
    warnAt: 5,
    criticalAt: 50,
    title: (t) => `Connections reset by peer${to(t)}`,
    recommendation: () =>
      'The other side closed connections mid-request: check the dependency or proxy for restarts and idle-timeout kills, keep the ' +
      "app's keep-alive timeout below the load balancer's (server.keepAliveTimeout), and retry idempotent calls.",
  },
  {
    key: 'EADDRINUSE',
    pattern: /\bEADDRINUSE\b/,
    target: (text) => /EADDRINUSE(?:: address already in use)?\s+\S*?:(\d+)\b/.exec(text)?.[1],
    warnAt: 1,
    criticalAt: 1,
    title: (port) => `Port ${port ?? '(unknown)'} already in use (EADDRINUSE)`,
    recommendation: (port) => {
      const p = port ?? '<port>';
      return (
        `Another process holds port ${p}: find it with \`lsof -i :${p}\` or \`ss -ltnp 'sport = :${p}'\`. Under PM2 this is usually an old ` +
        'instance that has not exited yet (raise kill_timeout, close the server on SIGINT) or two apps or fork-mode instances given the same ' +
        'port: use cluster mode to share a port.'
      );
    },
  },
  {
    key: 'HEAP_OOM',
    pattern: /JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit/,
    warnAt: 1,
    criticalAt: 1,
    title: () => 'JavaScript heap out of memory',
    recommendation: () =>
      'The V8 heap hit its limit and the process aborted. Look for a leak (see the memory findings; take heap snapshots with ' +
      '`node --heapsnapshot-near-heap-limit=2`), raise the limit with `node_args: "--max-old-space-size=<MB>"` only if the working set is ' +
      'really that large, and set max_memory_restart below it so PM2 restarts the process cleanly first.',
  },
  {
    key: 'EMFILE',
    pattern: /\bEMFILE\b|too many open files/i,
    warnAt: 1,
    criticalAt: 5,
    title: () => 'Too many open files (EMFILE)',
    recommendation: () =>
      'The process ran out of file descriptors: look for sockets, files or streams that are never closed (an HTTP agent without ' +
      'maxSockets, watchers), then check `ulimit -n` of the user running the PM2 daemon and raise it (LimitNOFILE in the unit `pm2 startup` writes).',
  },
  {
    key: 'MODULE_NOT_FOUND',
    pattern: /Cannot find (?:module|package) '|\bMODULE_NOT_FOUND\b|\bERR_MODULE_NOT_FOUND\b/,
    target: (text) => /Cannot find (?:module|package) '([^']+)'/.exec(text)?.[1],
    warnAt: 1,
    criticalAt: 1,
    title: (m) => (m ? `Cannot find module '${m}'` : 'Module not found'),
    recommendation: (m) =>
      `Run \`npm ci\` in the app's directory (the PM2 app's cwd); check that ${m ? `'${m}'` : 'the module'} is in dependencies, not ` +
      'devDependencies, when installing with --omit=dev, and that the path, its case and the `script`/`cwd` of the ecosystem file are right.',
  },
  {
    key: 'SIGKILL',
    pattern: /\bSIGKILL\b|\bOOMKilled\b|Out of memory: Killed process|exited with code \[137\]/,
    warnAt: 1,
    criticalAt: 1,
    title: () => 'Killed by SIGKILL (out-of-memory killer or kill -9)',
    recommendation: () =>
      "SIGKILL cannot be caught: usually the kernel's OOM killer (`dmesg -T | grep -i 'killed process'`) or a container memory limit, " +
      'sometimes PM2 itself when the process does not stop within kill_timeout. Reduce memory use or raise the limit, and set ' +
      'max_memory_restart so that PM2 restarts the process gracefully before the kernel kills it.',
  },
  {
    key: 'ENOTFOUND',
    pattern: /\bENOTFOUND\b|\bEAI_AGAIN\b/,
    target: (text) => /(?:ENOTFOUND|EAI_AGAIN)\s+([\w.-]+)/.exec(text)?.[1],
    warnAt: 1,
    criticalAt: 10,
    title: (host) => `DNS lookup failed${host ? ` for ${host}` : ''} (ENOTFOUND)`,
    recommendation: (host) =>
      `${host ? `'${host}'` : 'A host name'} does not resolve: check the name in the app's configuration or environment, ` +
      '/etc/resolv.conf and the DNS server; ENOTFOUND after a deploy usually means a wrong or missing environment variable.',
  },
  {
    key: 'ENOSPC',
    pattern: /\bENOSPC\b|no space left on device/i,
    warnAt: 1,
    criticalAt: 1,
    title: () => 'Disk full (ENOSPC)',
    recommendation: () =>
      'Free disk space (`df -h`, `du -sh ~/.pm2/logs`): PM2 logs grow without bound unless rotated; install pm2-logrotate or `pm2 flush`.',
  },
];

/** Case-sensitive on purpose: it runs on every entry, and each signature's own pattern decides. */
const PREFILTER = /ECONN|ETIMEDOUT|EADDRINUSE|heap|EMFILE|open files|OPEN FILES|find module|find package|MODULE_NOT_FOUND|SIGKILL|OOMKilled|Killed process|code \[137\]|ENOTFOUND|EAI_AGAIN|ENOSPC|space left|hang up/;

/** The key of the known signature a text shows, if any (kills excepted: they are not errors an app logs). */
export function knownSignatureOf(text: string): string | undefined {
  if (!PREFILTER.test(text)) return undefined;
  return SIGNATURES.find((s) => s.key !== 'SIGKILL' && s.pattern.test(text))?.key;
}

interface Hit {
  signature: Signature;
  target?: string;
  processes: Set<string>;
  evidence: EvidenceCollector;
}

function severityOf(s: Signature, count: number): Severity {
  if (count >= s.criticalAt) return 'critical';
  return count >= s.warnAt ? 'warning' : 'info';
}

export function detectSignatures(ctx: DetectorContext): Finding[] {
  const hits = new Map<string, Hit>();
  const hit = (s: Signature, target: string | undefined, process: string): Hit => {
    const key = `${s.key}\u0000${target ?? ''}`;
    let h = hits.get(key);
    if (!h) {
      h = { signature: s, target, processes: new Set(), evidence: EvidenceCollector.for(ctx) };
      hits.set(key, h);
    }
    h.processes.add(process);
    return h;
  };
  const hasExitEvents = (process: string): boolean => (ctx.eventsByProcess.get(process) ?? []).some((ev) => ev.kind === 'exit');
  const record = (e: LogEntry, process: string): void => {
    for (const s of SIGNATURES) {
      if (!s.pattern.test(e.message)) continue;
      // The daemon's exit lines repeat the exit events, which are counted below.
      if (s.key === 'SIGKILL' && e.stream === 'pm2' && hasExitEvents(process)) continue;
      hit(s, s.target?.(e.message), process).evidence.addEntry(e);
    }
  };
  for (const e of ctx.entries) {
    if (!PREFILTER.test(e.message)) continue;
    const daemonLine = e.stream === 'pm2' ? /App \[([^\]]+?):\d+\]/.exec(e.message) : null;
    record(e, daemonLine ? daemonLine[1] : e.process);
  }
  const kill = SIGNATURES.find((s) => s.key === 'SIGKILL') as Signature;
  for (const [process, events] of ctx.eventsByProcess) {
    for (const ev of events) {
      if (ev.kind !== 'exit' || ev.manually) continue;
      const killed = ev.exitCode === 137 || ((ev.exitCode === null || ev.exitCode === undefined) && ev.signal === 'SIGKILL');
      if (killed) hit(kill, undefined, process).evidence.add(ev.at, `${process} (pm_id ${ev.pmId}) killed by SIGKILL at ${new Date(ev.at).toISOString()}`);
    }
  }
  const findings: Finding[] = [];
  for (const h of hits.values()) {
    const s = h.signature;
    const evidence = h.evidence.build();
    const processes = [...h.processes].sort();
    const howOften = times(evidence.count);
    findings.push({
      id: findingId(DETECTOR, s.key, ...(h.target ? [h.target] : [])),
      detector: DETECTOR,
      severity: severityOf(s, evidence.count),
      title: `${s.title(h.target)} in ${processes.join(', ')} (${howOften})`,
      processes,
      summary: `${s.key}${h.target ? ` (${h.target}${service(h.target) ? `, ${service(h.target)}` : ''})` : ''} seen ${howOften} in ${processes.join(', ')}.`,
      evidence,
      recommendation: s.recommendation(h.target),
      data: { signature: s.key, target: h.target ?? null, service: service(h.target) ?? null },
    });
  }
  return findings;
}
