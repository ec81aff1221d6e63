import { z } from 'zod';
import { JobView } from './api.js';
import { CompareRunView } from './compare.js';
import { RunView } from './runs.js';

/**
 * What travels over /ws, one JSON object per message. Clients parse with these; `seq` orders the
 * events and is what a client sends back as `?since=` when it reconnects.
 */
const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ seq: z.number().int().nonnegative(), type: z.literal(type), at: z.string(), data });

export const SnapshotData = z.object({
  current_model: z.string().nullable(),
  jobs: z.array(JobView),
  ollama: z.object({ reachable: z.boolean(), url: z.string(), version: z.string().nullable() }),
  /** This daemon run; send it back as `&run=` with `?since=` so that a restarted daemon answers with a snapshot. */
  run_id: z.string(),
});

export const ServerEvent = z.discriminatedUnion('type', [
  envelope('snapshot', SnapshotData),
  envelope('download.progress', z.object({ job: JobView })),
  envelope('download.completed', z.object({ job: JobView })),
  envelope('download.failed', z.object({ job: JobView })),
  envelope('download.cancelled', z.object({ job: JobView })),
  envelope('download.interrupted', z.object({ job: JobView })),
  envelope('model.switched', z.object({ model: z.string(), previous_model: z.string().nullable() })),
  envelope('model.installed', z.object({ model: z.string() })),
  envelope('model.deleted', z.object({ model: z.string() })),
  envelope('usage.recorded', z.object({ count: z.number().int(), models: z.array(z.string()) })),
  envelope('compare.progress', z.object({ run: CompareRunView })),
  envelope('compare.completed', z.object({ run: CompareRunView })),
  envelope('compare.failed', z.object({ run: CompareRunView })),
  envelope('compare.cancelled', z.object({ run: CompareRunView })),
  envelope('compare.interrupted', z.object({ run: CompareRunView })),
  envelope('run.recorded', z.object({ run: RunView })),
  envelope('run.undone', z.object({ run: RunView })),
  envelope('ollama.status', z.object({ reachable: z.boolean(), url: z.string(), version: z.string().nullable() })),
]);
export type ServerEvent = z.infer<typeof ServerEvent>;
export type EventType = ServerEvent['type'];
