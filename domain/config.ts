import { z } from 'zod';

/**
 * QuantCoder's configuration: one schema for the file (`$QUANTCODER_HOME/config.json`), the
 * environment and the CLI. Keys are dotted (`llm.provider`); environment variables override the file.
 */

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const seconds = z.number().positive({ error: 'must be a positive number of seconds' });
const count = z.number().int().positive({ error: 'must be a positive whole number' });
const rate = z.number().positive({ error: 'must be a positive number per second' });
const provider = z.enum(['openai', 'anthropic']);
const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

const taskModel = z
  .object({ provider: provider.optional(), model: z.string().min(1).optional() })
  .strict()
  .default({});

export const configSchema = z
  .object({
    profile: z.enum(['live', 'sandbox']).default('live'),
    temporal: z
      .object({
        address: z.string().min(1).default('localhost:7233'),
        namespace: z.string().min(1).default('default'),
        taskQueue: z.string().min(1).default('quantcoder'),
        uiUrl: url.default('http://localhost:8233'),
      })
      .strict()
      .default({ address: 'localhost:7233', namespace: 'default', taskQueue: 'quantcoder', uiUrl: 'http://localhost:8233' }),
    sandbox: z.object({ url: url.default('http://127.0.0.1:7480') }).strict().default({ url: 'http://127.0.0.1:7480' }),
    // the learning store: SQLite in QUANTCODER_HOME by default; postgresql://… for a cluster of workers
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\/\S+$/, { error: 'must be a postgresql:// URL (leave it unset for SQLite in QUANTCODER_HOME)' })
          .optional(),
      })
      .strict()
      .default({}),
    crossref: z
      .object({
        baseUrl: url.default('https://api.crossref.org'),
        mailto: z.email({ error: 'must be an e-mail address' }).default('quantcoder@example.org'),
        timeoutSeconds: seconds.default(15),
        concurrency: count.default(2),
        ratePerSecond: rate.default(5),
      })
      .strict()
      .default({ baseUrl: 'https://api.crossref.org', mailto: 'quantcoder@example.org', timeoutSeconds: 15, concurrency: 2, ratePerSecond: 5 }),
    arxiv: z
      .object({
        baseUrl: url.default('https://export.arxiv.org'),
        timeoutSeconds: seconds.default(20),
        ratePerSecond: rate.default(0.34),
      })
      .strict()
      .default({ baseUrl: 'https://export.arxiv.org', timeoutSeconds: 20, ratePerSecond: 0.34 }),
    unpaywall: z
      .object({ baseUrl: url.default('https://api.unpaywall.org'), email: z.email().optional() })
      .strict()
      .default({ baseUrl: 'https://api.unpaywall.org' }),
    download: z
      .object({ maxBytes: count.default(50 * 1024 * 1024), timeoutSeconds: seconds.default(60), concurrency: count.default(4) })
      .strict()
      .default({ maxBytes: 50 * 1024 * 1024, timeoutSeconds: 60, concurrency: 4 }),
    llm: z
      .object({
        provider: provider.default('openai'),
        model: z.string().min(1).default('gpt-4o'),
        timeoutSeconds: seconds.default(120),
        concurrency: count.default(4),
        summarize: taskModel,
        generate: taskModel,
        repair: taskModel,
      })
      .strict()
      .default({ provider: 'openai', model: 'gpt-4o', timeoutSeconds: 120, concurrency: 4, summarize: {}, generate: {}, repair: {} }),
    openai: z
      .object({
        baseUrl: url.default('https://api.openai.com/v1'),
        apiKey: z.string().min(1).optional(),
        // store completions under a per-call key so a retry recovers a paid answer that was lost; unset = on for api.openai.com only
        recoverLostAnswers: z.boolean().optional(),
      })
      .strict()
      .default({ baseUrl: 'https://api.openai.com/v1' }),
    anthropic: z
      .object({ baseUrl: url.default('https://api.anthropic.com'), apiKey: z.string().min(1).optional() })
      .strict()
      .default({ baseUrl: 'https://api.anthropic.com' }),
    quantconnect: z
      .object({
        baseUrl: url.default('https://www.quantconnect.com/api/v2'),
        userId: z.string().regex(/^\d+$/, { error: 'must be your numeric QuantConnect user id' }).optional(),
        apiToken: z.string().min(1).optional(),
        timeoutSeconds: seconds.default(60),
        concurrency: count.default(1),
        pollSeconds: seconds.default(3),
      })
      .strict()
      .default({ baseUrl: 'https://www.quantconnect.com/api/v2', timeoutSeconds: 60, concurrency: 1, pollSeconds: 3 }),
    logging: z
      .object({ level: logLevel.default('info'), format: z.enum(['json', 'pretty']).default('pretty') })
      .strict()
      .default({ level: 'info', format: 'pretty' }),
    metrics: z
      .object({ address: z.string().regex(/^[^:]*:\d+$/, { error: 'must be host:port' }).optional() })
      .strict()
      .default({}),
  })
  .strict();

export type QuantCoderConfig = z.infer<typeof configSchema>;
export type ConfigFile = Record<string, unknown>;

/** Keys that hold secrets: masked by `config show`, never logged, never put in workflow history. */
export const SECRET_KEYS = ['openai.apiKey', 'anthropic.apiKey', 'quantconnect.apiToken', 'database.url'] as const;

/** Environment variables and the config key each sets. The environment wins over the file. */
export const ENV_KEYS: Record<string, string> = {
  TEMPORAL_ADDRESS: 'temporal.address',
  TEMPORAL_NAMESPACE: 'temporal.namespace',
  QUANTCODER_TASK_QUEUE: 'temporal.taskQueue',
  TEMPORAL_UI_URL: 'temporal.uiUrl',
  QUANTCODER_PROFILE: 'profile',
  QUANTCODER_SANDBOX_URL: 'sandbox.url',
  CROSSREF_MAILTO: 'crossref.mailto',
  UNPAYWALL_EMAIL: 'unpaywall.email',
  OPENAI_API_KEY: 'openai.apiKey',
  OPENAI_BASE_URL: 'openai.baseUrl',
  ANTHROPIC_API_KEY: 'anthropic.apiKey',
  ANTHROPIC_BASE_URL: 'anthropic.baseUrl',
  QUANTCODER_LLM_PROVIDER: 'llm.provider',
  QUANTCODER_LLM_MODEL: 'llm.model',
  QUANTCONNECT_USER_ID: 'quantconnect.userId',
  QUANTCONNECT_API_TOKEN: 'quantconnect.apiToken',
  LOG_LEVEL: 'logging.level',
  LOG_FORMAT: 'logging.format',
  QUANTCODER_METRICS_ADDRESS: 'metrics.address',
  QUANTCODER_DATABASE_URL: 'database.url',
};

/**
 * QuantCoder 2.0's names for settings (its `config set` keys and its runbook's variables). They are
 * accepted, with a one-line note naming QuantCoder's own key, so a 2.0 user's habits and scripts work.
 */
export const LEGACY_CONFIG_KEYS: Record<string, string> = {
  quantconnect_user_id: 'quantconnect.userId',
  quantconnect_api_key: 'quantconnect.apiToken',
  openai_api_key: 'openai.apiKey',
  anthropic_api_key: 'anthropic.apiKey',
  log_level: 'logging.level',
  log_format: 'logging.format',
};

/** QuantCoder 2.0's environment variables that have no same-named counterpart here. */
export const LEGACY_ENV_KEYS: Record<string, string> = {
  QC_API_TIMEOUT: 'quantconnect.timeoutSeconds',
  QUANTCONNECT_API_KEY: 'quantconnect.apiToken',
};

/** The note shown when a 2.0 name is used. */
export function legacyNote(oldName: string, key: string): string {
  const env = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0];
  return `${oldName} is QuantCoder 2.0's name; it sets ${key}${env ? ` (environment variable ${env})` : ''}, the name to use from now on.`;
}

/** Notes for every 2.0 environment variable that is set. */
export function legacyEnvNotes(env: Record<string, string | undefined>): string[] {
  return Object.entries(LEGACY_ENV_KEYS)
    .filter(([name]) => env[name] !== undefined && env[name] !== '')
    .map(([name, key]) => legacyNote(name, key));
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The known key closest to what was typed (case, separators and typos forgiven), or null when nothing is close. */
export function closestConfigKey(typed: string): string | null {
  const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
  const t = norm(typed);
  let best: { key: string; d: number } | null = null;
  for (const key of configKeys().keys()) {
    const last = key.split('.').pop()!;
    const d = Math.min(editDistance(t, norm(key)), editDistance(t, norm(last)) + 1);
    if (!best || d < best.d) best = { key, d };
  }
  return best && best.d <= Math.max(2, Math.floor(t.length / 3)) ? best.key : null;
}

/** "Unknown config key" with a suggestion, instead of every key there is. */
export function unknownKeyMessage(key: string, where = ''): string {
  const guess = closestConfigKey(key);
  return `Unknown config key "${key}"${where}. ${guess ? `Did you mean "${guess}"? ` : ''}\`quantcoder config show\` lists every key.`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string, readonly source?: string) {
    super(message);
  }
}

/** Every settable dotted key with its schema, derived from the schema itself. */
export function configKeys(): Map<string, z.ZodType> {
  const keys = new Map<string, z.ZodType>();
  const walk = (schema: z.ZodType, prefix: string) => {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) {
      for (const [k, v] of Object.entries(inner.shape)) walk(v as z.ZodType, prefix ? `${prefix}.${k}` : k);
    } else {
      keys.set(prefix, schema);
    }
  };
  walk(configSchema, '');
  return keys;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/** Turns a command-line string into the value type a key expects (numbers, enums, strings). */
export function parseConfigValue(key: string, raw: string): unknown {
  const schema = configKeys().get(key);
  if (!schema) throw new ConfigError(unknownKeyMessage(key));
  const inner = unwrap(schema);
  const value: unknown = inner instanceof z.ZodNumber ? Number(raw) : inner instanceof z.ZodBoolean && /^(true|false)$/.test(raw) ? raw === 'true' : raw;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`Invalid value for ${key}: ${describeIssue(inner, parsed.error.issues[0]?.message)}`);
  return parsed.data;
}

function describeIssue(schema: z.ZodType, message: string | undefined): string {
  if (schema instanceof z.ZodEnum) return `${message ?? 'invalid'}; valid choices: ${schema.options.join(', ')}`;
  return message ?? 'invalid value';
}

export function getPath(obj: Record<string, unknown>, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export function setPath(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const parts = key.split('.');
  const copy: Record<string, unknown> = structuredClone(obj);
  let cur = copy;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}

/**
 * Merges the config file with environment overrides and validates the result.
 * Invalid values are rejected naming the key, where it came from, and the valid choices.
 */
export function resolveConfig(file: ConfigFile, env: Record<string, string | undefined>, fileName = 'config file'): QuantCoderConfig {
  let merged: Record<string, unknown> = structuredClone(file);
  const origin = new Map<string, string>();
  // 2.0's names first, so QuantCoder's own variable wins when both are set
  for (const [name, key] of [...Object.entries(LEGACY_ENV_KEYS), ...Object.entries(ENV_KEYS)]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const schema = unwrap(configKeys().get(key)!);
    merged = setPath(merged, key, schema instanceof z.ZodNumber ? Number(raw) : normaliseEnvValue(key, raw));
    origin.set(key, `environment variable ${name}`);
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      const where = key ? `${key}.` : '';
      throw new ConfigError(unknownKeyMessage(`${where}${issue.keys[0]}`, ` in ${fileName}`), fileName);
    }
    const schema = configKeys().get(key);
    const from = origin.get(key) ?? fileName;
    throw new ConfigError(`Invalid value for ${key} (from ${from}): ${describeIssue(schema ? unwrap(schema) : configSchema, issue.message)}`, from);
  }
  return parsed.data;
}

function normaliseEnvValue(key: string, raw: string): string {
  // LOG_LEVEL=DEBUG is what operators type; the logger wants lower case.
  return key === 'logging.level' || key === 'logging.format' ? raw.toLowerCase() : raw;
}

/** The config with secrets replaced by a mask that shows only whether a value is set. */
export function maskSecrets(config: QuantCoderConfig): Record<string, unknown> {
  let out = structuredClone(config) as unknown as Record<string, unknown>;
  for (const key of SECRET_KEYS) {
    const v = getPath(out, key);
    if (typeof v === 'string' && v.length > 0) out = setPath(out, key, mask(v));
  }
  return out;
}

export function mask(secret: string): string {
  return secret.length <= 8 ? '****' : `${secret.slice(0, 3)}…${secret.slice(-2)} (${secret.length} chars)`;
}

/** Replaces every known secret value (six characters or more) in a line with `[REDACTED]`. */
export function redactor(secrets: string[]): (line: string) => string {
  const values = secrets.filter((s) => s && s.length >= 6).sort((a, b) => b.length - a.length);
  if (!values.length) return (line) => line;
  return (line) => values.reduce((acc, s) => acc.split(s).join('[REDACTED]'), line);
}
