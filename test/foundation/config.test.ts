import { ConfigError, maskSecrets, parseConfigValue, resolveConfig } from '../../domain/config';
import { serviceEndpoints } from '../../domain/services';

describe('configuration', () => {
  it('has working defaults with no file and no environment', () => {
    const c = resolveConfig({}, {});
    expect(c.temporal.address).toBe('localhost:7233');
    expect(c.llm.provider).toBe('openai');
    expect(c.crossref.timeoutSeconds).toBeGreaterThan(0);
  });

  it('lets environment variables override the file', () => {
    const c = resolveConfig({ temporal: { address: 'file:7233' }, llm: { provider: 'anthropic' } }, { TEMPORAL_ADDRESS: 'env:7233', LOG_LEVEL: 'DEBUG' });
    expect(c.temporal.address).toBe('env:7233');
    expect(c.llm.provider).toBe('anthropic');
    expect(c.logging.level).toBe('debug');
  });

  it('rejects an unknown key and names the valid ones', () => {
    expect(() => resolveConfig({ llm: { providr: 'openai' } }, {})).toThrow(/Unknown config key "llm.providr".*llm\.provider/);
  });

  it('rejects a bad URL, a negative timeout and a bad choice with the reason', () => {
    expect(() => parseConfigValue('crossref.baseUrl', 'not a url')).toThrow(ConfigError);
    expect(() => parseConfigValue('llm.timeoutSeconds', '-5')).toThrow(/positive/);
    expect(() => parseConfigValue('llm.provider', 'gemini')).toThrow(/valid choices: openai, anthropic/);
    expect(parseConfigValue('llm.timeoutSeconds', '30')).toBe(30);
  });

  it('reads true/false for a yes-or-no setting and refuses anything else', () => {
    expect(parseConfigValue('openai.recoverLostAnswers', 'false')).toBe(false);
    expect(parseConfigValue('openai.recoverLostAnswers', 'true')).toBe(true);
    expect(() => parseConfigValue('openai.recoverLostAnswers', 'yes')).toThrow(ConfigError);
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(() => resolveConfig({}, { QUANTCODER_LLM_PROVIDER: 'gemini' })).toThrow(/environment variable QUANTCODER_LLM_PROVIDER/);
  });

  it('masks secrets when shown', () => {
    const c = resolveConfig({}, { OPENAI_API_KEY: 'sk-test-0123456789abcdef' });
    expect(JSON.stringify(maskSecrets(c))).not.toContain('0123456789abcdef');
  });

  it('points every service at the sandbox in the sandbox profile', () => {
    const e = serviceEndpoints(resolveConfig({}, { QUANTCODER_PROFILE: 'sandbox', QUANTCODER_SANDBOX_URL: 'http://127.0.0.1:9999' }));
    expect(e.crossref.baseUrl).toBe('http://127.0.0.1:9999/crossref');
    expect(e.quantconnect.baseUrl).toBe('http://127.0.0.1:9999/quantconnect/api/v2');
    expect(e.openai.apiKey).toBeDefined();
  });
});
