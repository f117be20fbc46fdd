import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { Writable } from 'node:stream';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { redactor } from '../domain/config';
import { RotatingLogFile } from './log-file';

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  /** JSON-lines log file (rotated at 10 MB, 5 kept); none when undefined. */
  file?: string;
  /** Secret values that must never reach a log line, whatever field they hide in. */
  secrets?: string[];
  /** Where human-facing lines go; stderr by default so `--json` output on stdout stays clean. */
  console?: NodeJS.WritableStream | false;
}

/**
 * The one logger of a QuantCoder process: JSON lines to the log file (so `jq` works on it) and
 * pretty or JSON lines to the console; known secrets and credential fields are redacted.
 */
export function createLogger(options: LoggerOptions): Logger {
  const scrub = redactor(options.secrets ?? []);
  let file: RotatingLogFile | undefined;
  if (options.file) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    file = new RotatingLogFile(options.file);
  }
  const out = options.console === false ? undefined : (options.console ?? process.stderr);
  const prettify = options.format === 'pretty' ? prettyFactory({ colorize: false, ignore: 'pid,hostname' }) : undefined;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const line = scrub(chunk.toString());
      file?.write(line);
      if (out) out.write(prettify ? prettify(JSON.parse(line) as Record<string, unknown>) : line);
      callback();
    },
  });
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['apiKey', 'apiToken', 'authorization', '*.apiKey', '*.apiToken', '*.authorization', 'headers.authorization'], censor: '[REDACTED]' },
    },
    sink,
  );
}

/** Lets the Temporal SDK (worker, core) log through QuantCoder's logger. */
export function temporalLogger(logger: Logger): TemporalLogger {
  // The SDK is chatty at INFO (bundler output, state changes): that is debug detail for QuantCoder's users.
  const at = (level: LogLevel) => (message: string, meta?: LogMetadata) =>
    logger[level === 'INFO' ? 'debug' : pinoLevel(level)]({ ...meta, component: 'temporal' }, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}

function pinoLevel(level: LogLevel): 'trace' | 'debug' | 'info' | 'warn' | 'error' {
  return level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
}
