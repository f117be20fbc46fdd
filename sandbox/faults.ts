import { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from './config';

/**
 * `hang`, `reset`, `status` and `malformed` happen before the service sees the request: nothing was
 * done. `lost-reset` and `lost-hang` happen after it: the service did the work (a project created,
 * a backtest started, tokens billed), then the answer is lost to a connection reset or never sent.
 */
export const FAULT_KINDS = ['status', 'latency', 'hang', 'reset', 'malformed', 'lost-reset', 'lost-hang'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultSpecSchema = z
  .object({
    service: z.enum(SERVICE_NAMES),
    /** e.g. `backtests/create`, `chat/completions`, `works`; absent = every route of the service. */
    route: z.string().min(1).optional(),
    kind: z.enum(FAULT_KINDS),
    status: z.number().int().min(400).max(599).optional(),
    /** Seconds (or an HTTP date) sent as `Retry-After` with a `status` fault. */
    retryAfter: z.union([z.number().min(0), z.string().min(1)]).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** How many matching requests the fault applies to; absent = until cleared. */
    times: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((f) => f.kind !== 'status' || f.status !== undefined, { message: 'a status fault needs "status"', path: ['status'] })
  .refine((f) => f.kind !== 'latency' || f.latencyMs !== undefined, { message: 'a latency fault needs "latencyMs"', path: ['latencyMs'] });

export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface Fault extends FaultSpec {
  id: string;
  /** Matching requests still to fault; null = unlimited. */
  remaining: number | null;
  applied: number;
}

/** The faults currently armed, consumed first-added first. */
export class FaultBook {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, route: spec.route === undefined ? undefined : normaliseRoute(spec.route), id: `fault-${this.nextId++}`, remaining: spec.times ?? null, applied: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  /** The first armed fault matching this request, counted as applied (and dropped when used up). */
  take(service: ServiceName, route: string, path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.service === service && routeMatches(f.route, route, path));
    if (!fault) return undefined;
    fault.applied++;
    if (fault.remaining !== null && --fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }
}

/** `/v1/chat/completions`, `api/v2/backtests/create` and `backtests/create` all name the same route. */
function normaliseRoute(route: string): string {
  return route.replace(/^\/+/, '').replace(/^(v1|api\/v2)\//, '').replace(/\/+$/, '');
}

function routeMatches(wanted: string | undefined, route: string, path: string): boolean {
  if (wanted === undefined) return true;
  return [route, path].some((candidate) => candidate === wanted || candidate.startsWith(`${wanted}/`));
}
