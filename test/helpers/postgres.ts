import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** Why PostgreSQL tests cannot run in this test run, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
  return process.env.QC_TEST_POSTGRES_URL ? undefined : (process.env.QC_TEST_POSTGRES_SKIP ?? 'PostgreSQL was not started by the global setup');
}

/** A new, empty database on the test run's PostgreSQL server; returns its URL. */
export async function freshPostgresDatabase(prefix = 'qc'): Promise<string> {
  const server = process.env.QC_TEST_POSTGRES_URL;
  if (!server) throw new Error(postgresSkipReason());
  const name = `${prefix}_${randomUUID().slice(0, 8)}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const client = new Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}
