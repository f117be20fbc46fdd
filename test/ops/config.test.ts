import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempHome } from '../helpers/cli';

const SECRET = 'sk-test-SECRETvalue-0987654321';

function readFile(home: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(home, 'config.json'), 'utf8')) as Record<string, unknown>;
}

describe('quantcoder config', () => {
  const homes: string[] = [];
  const home = (config: Record<string, unknown> = {}) => {
    const h = tempHome(config);
    homes.push(h);
    return h;
  };
  afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));

  it('sets, gets and unsets a value, writing the file readable only by its owner', async () => {
    const h = home();
    const env = { QUANTCODER_HOME: h };
    const set = await runCli(['config', 'set', 'crossref.timeoutSeconds', '30'], env);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(`Set crossref.timeoutSeconds = 30 in ${path.join(h, 'config.json')}`);
    expect(readFile(h)).toEqual({ crossref: { timeoutSeconds: 30 } });
    expect(fs.statSync(path.join(h, 'config.json')).mode & 0o777).toBe(0o600);

    const get = await runCli(['config', 'get', 'crossref.timeoutSeconds', '--json'], env);
    expect(JSON.parse(get.stdout)).toEqual({ key: 'crossref.timeoutSeconds', value: 30, source: 'file' });
    expect((await runCli(['config', 'get', 'crossref.timeoutSeconds'], env)).stdout.trim()).toBe('30');

    const unset = await runCli(['config', 'unset', 'crossref.timeoutSeconds'], env);
    expect(unset.code).toBe(0);
    expect(readFile(h)).toEqual({}); // the emptied section is pruned too
    expect(JSON.parse((await runCli(['config', 'get', 'crossref.timeoutSeconds', '--json'], env)).stdout)).toMatchObject({ value: 15, source: 'default' });

    // unsetting again is a no-op that succeeds
    const again = await runCli(['config', 'unset', 'crossref.timeoutSeconds'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/not set .*nothing to do/);
  });

  it('prints the config file path, even when the file is broken', async () => {
    const h = home();
    fs.writeFileSync(path.join(h, 'config.json'), '{ not json');
    const res = await runCli(['config', 'path'], { QUANTCODER_HOME: h });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(path.join(h, 'config.json'));
    const json = JSON.parse((await runCli(['config', 'path', '--json'], { QUANTCODER_HOME: h })).stdout) as Record<string, string>;
    expect(json).toMatchObject({ home: h, dotenv: path.join(h, '.env'), log: path.join(h, 'quantcoder.log'), database: path.join(h, 'learning.db') });
    // with a PostgreSQL learning store, that is the database named (its password never printed)
    const pg = home();
    const onPostgres = JSON.parse((await runCli(['config', 'path', '--json'], { QUANTCODER_HOME: pg, QUANTCODER_DATABASE_URL: 'postgresql://qc:s3cret-pw@db.example:5432/quantcoder' })).stdout) as Record<string, string>;
    expect(onPostgres.database).toBe('postgresql://qc:***@db.example:5432/quantcoder');
  });

  it.each([
    ['a misspelt key, suggesting the one meant', ['llm.provder', 'openai'], /Unknown config key "llm\.provder"\. Did you mean "llm\.provider"\? `quantcoder config show` lists every key/],
    ['a value outside the choices', ['llm.provider', 'mistral'], /Invalid value for llm\.provider: .*valid choices: openai, anthropic/s],
    ['a URL that is not http(s)', ['openai.baseUrl', 'ftp://example.org'], /Invalid value for openai\.baseUrl: must be an http\(s\) URL/],
    ['a negative timeout', ['quantconnect.timeoutSeconds', '-5'], /Invalid value for quantconnect\.timeoutSeconds: must be a positive number of seconds/],
    ['a non-numeric QuantConnect user id', ['quantconnect.userId', 'alice'], /must be your numeric QuantConnect user id/],
    ['a log format that does not exist', ['logging.format', 'xml'], /valid choices: json, pretty/],
  ])('rejects %s, naming what is valid, and leaves the file unchanged', async (_what, args, message) => {
    const h = home({ llm: { model: 'gpt-4o-mini' } });
    const res = await runCli(['config', 'set', ...args], { QUANTCODER_HOME: h });
    expect(res.code).toBe(1);
    expect(res.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')).toMatch(message);
    expect(res.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(readFile(h)).toEqual({ llm: { model: 'gpt-4o-mini' } });
  });

  it('an unknown key gets a suggestion, never the whole key list', async () => {
    const res = await runCli(['config', 'set', 'llm.colour', 'blue'], { QUANTCODER_HOME: home() });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Unknown config key "llm\.colour"/);
    expect(res.stderr).not.toMatch(/Valid keys|crossref\.timeoutSeconds/);
  });

  it('QuantCoder 2.0 names work, each with a one-line note naming the new key', async () => {
    const h = home();
    const set = await runCli(['config', 'set', 'quantconnect_user_id', '123456'], { QUANTCODER_HOME: h });
    expect(set.code).toBe(0);
    expect(set.stderr).toMatch(/quantconnect_user_id is QuantCoder 2\.0's name; it sets quantconnect\.userId \(environment variable QUANTCONNECT_USER_ID\)/);
    // a secret: to the OS keyring, or here (no session bus) to .env, never to config.json
    expect((await runCli(['config', 'set', 'quantconnect_api_key', SECRET], { QUANTCODER_HOME: h, DBUS_SESSION_BUS_ADDRESS: '' })).code).toBe(0);
    expect(readFile(h)).toEqual({ quantconnect: { userId: '123456' } });
    expect(fs.readFileSync(path.join(h, '.env'), 'utf8')).toBe(`QUANTCONNECT_API_TOKEN=${SECRET}\n`);

    const get = await runCli(['config', 'get', 'quantconnect.timeoutSeconds', '--json'], { QUANTCODER_HOME: h, QC_API_TIMEOUT: '120', LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'json' });
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ value: 120 });
    expect(get.stderr).toMatch(/QC_API_TIMEOUT is QuantCoder 2\.0's name; it sets quantconnect\.timeoutSeconds/);
    const level = await runCli(['config', 'get', 'logging.level', '--json'], { QUANTCODER_HOME: h, LOG_LEVEL: 'DEBUG' });
    expect(JSON.parse(level.stdout)).toMatchObject({ value: 'debug' });
  });

  it('validates the whole resulting file: a bad value elsewhere blocks a set until it is fixed, and unset repairs unknown keys', async () => {
    const h = home({ crossref: { timeoutSeconds: -1 }, typo: { key: 1 } });
    const env = { QUANTCODER_HOME: h };
    const blocked = await runCli(['config', 'set', 'llm.model', 'gpt-4.1'], env);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')).toMatch(/Invalid value for crossref\.timeoutSeconds .*must be a positive number of seconds/);

    // the file is invalid, yet set and unset still work on it: that is how it gets repaired
    expect((await runCli(['config', 'set', 'crossref.timeoutSeconds', '10'], env)).code).toBe(1);
    expect(readFile(h)).toEqual({ crossref: { timeoutSeconds: -1 }, typo: { key: 1 } });
    expect((await runCli(['config', 'unset', 'typo'], env)).code).toBe(0);
    expect((await runCli(['config', 'set', 'crossref.timeoutSeconds', '10'], env)).code).toBe(0);
    expect((await runCli(['config', 'set', 'llm.model', 'gpt-4.1'], env)).code).toBe(0);
    expect(readFile(h)).toEqual({ crossref: { timeoutSeconds: 10 }, llm: { model: 'gpt-4.1' } });
  });

  it('never prints a secret: set, get and show mask it; without an OS keyring .env keeps it', async () => {
    const h = home();
    const env = { QUANTCODER_HOME: h, DBUS_SESSION_BUS_ADDRESS: '' };
    const outputs = [
      await runCli(['config', 'set', 'openai.apiKey', SECRET], env),
      await runCli(['config', 'get', 'openai.apiKey'], env),
      await runCli(['config', 'get', 'openai', '--json'], env),
      await runCli(['config', 'show'], env),
      await runCli(['config', 'show', '--json'], env),
    ];
    for (const res of outputs) {
      expect(res.code).toBe(0);
      expect(res.stdout + res.stderr).not.toContain(SECRET);
    }
    expect(outputs[1]!.stdout.trim()).toBe(`sk-…21 (${SECRET.length} chars)`);
    expect(outputs[3]!.stdout).toMatch(/openai\.apiKey\s+sk-…21 \(30 chars\)\s+\.env OPENAI_API_KEY/);
    expect(readFile(h)).toEqual({});
    expect(fs.readFileSync(path.join(h, '.env'), 'utf8')).toBe(`OPENAI_API_KEY=${SECRET}\n`);
  });

  it('shows where each value comes from: environment over .env over file over default', async () => {
    const h = home({ llm: { provider: 'anthropic', model: 'claude-sonnet-4-6' }, logging: { level: 'warn' } });
    fs.writeFileSync(path.join(h, '.env'), '# credentials\nQUANTCONNECT_USER_ID=777\nLOG_LEVEL=error\n', { mode: 0o600 });
    const res = await runCli(['config', 'show', '--json'], { QUANTCODER_HOME: h, LOG_LEVEL: 'DEBUG' });
    expect(res.code).toBe(0);
    const shown = JSON.parse(res.stdout) as { config: Record<string, Record<string, unknown>>; sources: Record<string, string> };
    expect(shown.config.logging!.level).toBe('debug');
    expect(shown.config.quantconnect!.userId).toBe('777');
    expect(shown.config.llm!.provider).toBe('anthropic');
    expect(shown.sources).toMatchObject({
      'logging.level': 'env LOG_LEVEL',
      'quantconnect.userId': '.env QUANTCONNECT_USER_ID',
      'llm.provider': 'file',
      'crossref.timeoutSeconds': 'default',
    });
    expect(res.stderr).not.toMatch(/readable by group or others/);

    const text = await runCli(['config', 'show'], { QUANTCODER_HOME: h });
    expect(text.stdout).toMatch(/^llm\.provider\s+anthropic\s+file$/m);
    expect(text.stdout).toMatch(/^logging\.level\s+error\s+\.env LOG_LEVEL$/m);

    const set = await runCli(['config', 'set', 'logging.level', 'info'], { QUANTCODER_HOME: h });
    expect(set.stderr).toMatch(/LOG_LEVEL is set .*\.env.* and overrides this value/);
  });

  it('reads .env and warns when it is readable by group or others', async () => {
    const h = home();
    const dotenv = path.join(h, '.env');
    fs.writeFileSync(dotenv, 'export ANTHROPIC_API_KEY="sk-ant-FROMDOTENV-123456"\n');
    fs.chmodSync(dotenv, 0o644);
    const res = await runCli(['config', 'get', 'anthropic.apiKey'], { QUANTCODER_HOME: h });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe('sk-…56 (24 chars)');
    expect(res.stderr).toContain(`Warning: ${dotenv} is readable by group or others (mode 644); run: chmod 600 ${dotenv}`);
    expect(res.stdout + res.stderr).not.toContain('sk-ant-FROMDOTENV-123456');
  });

  it('rejects an invalid environment variable naming the variable and the choices', async () => {
    const h = home();
    const res = await runCli(['config', 'show'], { QUANTCODER_HOME: h, LOG_FORMAT: 'xml' });
    expect(res.code).toBe(1);
    expect(res.stderr.replace(/\s*›\s*/g, ' ').replace(/\s+/g, ' ')).toMatch(/Invalid value for logging\.format \(from environment variable LOG_FORMAT\): .*valid choices: json, pretty/);
  });
});
