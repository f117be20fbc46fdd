/**
 * A worker names the profile it runs in its Temporal identity, which the server lists for every
 * poller of a task queue: so a client can tell whether the workers that will run its activities
 * talk to the real services or to the sandbox simulators, whatever its own settings say.
 */
export type WorkerProfile = 'live' | 'sandbox';

const MARK = /\bquantcoder profile=(\w+)\b/;

/** `1234@host quantcoder profile=sandbox`: Temporal's usual `pid@host`, then the profile. */
export function workerIdentity(pidAtHost: string, profile: WorkerProfile): string {
  return `${pidAtHost} quantcoder profile=${profile}`;
}

/** The profile a poller's identity names; null for workers that do not say (older versions, other tools). */
export function profileOfIdentity(identity: string | null | undefined): WorkerProfile | null {
  const p = MARK.exec(identity ?? '')?.[1];
  return p === 'sandbox' || p === 'live' ? p : null;
}
