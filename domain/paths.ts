import path from 'node:path';

/** Environment variables QuantCoder's paths depend on. */
export interface PathEnv {
  QUANTCODER_HOME?: string;
  HOME?: string;
  USERPROFILE?: string;
}

/** The QuantCoder home directory: `$QUANTCODER_HOME`, else `~/.quantcoder`. */
export function quantcoderHome(env: PathEnv): string {
  if (env.QUANTCODER_HOME && env.QUANTCODER_HOME.trim() !== '') return path.resolve(env.QUANTCODER_HOME);
  const home = env.HOME ?? env.USERPROFILE;
  if (!home) throw new Error('Cannot locate the home directory: set QUANTCODER_HOME');
  return path.join(home, '.quantcoder');
}

/** Where everything QuantCoder keeps on disk lives, derived from its home directory. */
export function homeLayout(home: string) {
  return {
    home,
    database: path.join(home, 'learning.db'),
    config: path.join(home, 'config.json'),
    dotenv: path.join(home, '.env'),
    log: path.join(home, 'quantcoder.log'),
    artifacts: path.join(home, 'artifacts'),
    downloads: path.join(home, 'downloads'),
    generated: path.join(home, 'generated'),
    temporalDb: path.join(home, 'temporal.db'),
    backups: path.join(home, 'backups'),
  };
}

export type HomeLayout = ReturnType<typeof homeLayout>;

export function databaseUrl(env: PathEnv): string {
  return `file:${homeLayout(quantcoderHome(env)).database}`;
}
