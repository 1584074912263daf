// Process and daemon facts as tools and resources show them.
import { z } from 'zod';
import type { DaemonState, MonitorEngine } from '../core/engine.js';
import type { ProcessInfo } from '../core/types.js';
import { trimToBudget } from './budget.js';

export const processViewSchema = z.object({
  name: z.string(),
  pmId: z.number(),
  namespace: z.string(),
  status: z.string().describe('online, stopped, errored, launching, ...'),
  pid: z.number().optional(),
  execMode: z.enum(['fork', 'cluster']),
  instance: z.number().optional(),
  cpu: z.number().describe('Percent of one core'),
  memory: z.number().describe('Resident memory in bytes'),
  restarts: z.number(),
  unstableRestarts: z.number(),
  uptimeSince: z.string().optional().describe('ISO time the current run started'),
});

export type ProcessView = z.infer<typeof processViewSchema>;

export function presentProcess(p: ProcessInfo): ProcessView {
  const view: ProcessView = {
    name: p.name,
    pmId: p.pmId,
    namespace: p.namespace,
    status: p.status,
    execMode: p.execMode,
    cpu: p.cpu,
    memory: p.memory,
    restarts: p.restarts,
    unstableRestarts: p.unstableRestarts,
  };
  if (p.pid !== undefined) view.pid = p.pid;
  if (p.instance !== undefined) view.instance = p.instance;
  if (p.uptimeSince !== undefined) view.uptimeSince = new Date(p.uptimeSince).toISOString();
  return view;
}

export const daemonSchema = z.object({
  pm2Home: z.string(),
  alive: z.boolean(),
  lastSeen: z.number().optional(),
  error: z.string().optional(),
  message: z.string().describe('The daemon state in one sentence'),
});

/** A missing daemon is a state to report plainly: the monitor never starts one itself. */
export function describeDaemon(daemon: DaemonState): z.infer<typeof daemonSchema> {
  const message = daemon.alive
    ? `PM2 daemon running at PM2_HOME=${daemon.pm2Home}`
    : `No PM2 daemon is running at PM2_HOME=${daemon.pm2Home}${daemon.error ? ` (${daemon.error})` : ''}. ` +
      'The monitor never starts one: start your apps with pm2, or point PM2_HOME at the right folder. Buffered logs stay queryable.';
  return { ...daemon, message };
}

/**
 * Processes from PM2 trimmed from the end to `budgetChars`, saying what was left out, plus the
 * daemon state when the list is empty (down daemon or no apps).
 */
export async function processListReply(
  engine: MonitorEngine,
  budgetChars: number,
): Promise<{ processes: ProcessView[]; total: number; truncated: boolean; daemon?: z.infer<typeof daemonSchema> }> {
  const processes = (await engine.listProcesses()).map(presentProcess);
  const { value } = trimToBudget({ processes }, ['processes'], budgetChars);
  const reply = { processes: value.processes, total: processes.length, truncated: value.processes.length < processes.length };
  if (processes.length > 0) return reply;
  return { ...reply, daemon: describeDaemon((await engine.status()).daemon) };
}
