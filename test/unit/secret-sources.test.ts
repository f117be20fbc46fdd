import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { editDotenv, parseDotenv } from '../../config/dotenv';
import { KeyringUnavailableError, osKeyring, type SecretKey, type SecretStore } from '../../config/secrets';
import { loadSettings } from '../../config/settings';

/** A keyring held in memory, standing in for the OS one where only the lookup order is under test. */
function memoryKeyring(values: Partial<Record<SecretKey, string>>): SecretStore {
  return {
    description: 'the OS keyring (in memory)',
    readAll: () => ({ ...values }),
    write: (key, value) => void (values[key] = value),
    remove: (key) => delete values[key],
  };
}

describe('where secrets come from', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-secrets-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));
  const env = (more: Record<string, string> = {}) => ({ QUANTCODER_HOME: home, HOME: home, ...more });

  it('environment, then keyring, then .env, then config.json; each source named, every value in the redaction list', () => {
    fs.writeFileSync(path.join(home, '.env'), 'OPENAI_API_KEY=sk-from-dotenv-111111\nANTHROPIC_API_KEY=sk-ant-dotenv-222222\n', { mode: 0o600 });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ quantconnect: { apiToken: 'qc-token-in-file-333333' } }));
    const keyring = memoryKeyring({ 'openai.apiKey': 'sk-from-keyring-444444', 'anthropic.apiKey': 'sk-ant-keyring-555555' });
    const s = loadSettings(env({ ANTHROPIC_API_KEY: 'sk-ant-environment-666666' }), {}, keyring);
    expect(s.config.openai.apiKey).toBe('sk-from-keyring-444444');
    expect(s.config.anthropic.apiKey).toBe('sk-ant-environment-666666');
    expect(s.config.quantconnect.apiToken).toBe('qc-token-in-file-333333');
    expect(s.secretSources).toEqual({ 'openai.apiKey': 'keyring', 'anthropic.apiKey': 'env', 'quantconnect.apiToken': 'file' });
    // the logger redacts what loadSettings lists: the keyring's values must be among them
    expect(s.secrets).toEqual(expect.arrayContaining(['sk-from-keyring-444444', 'sk-ant-environment-666666', 'qc-token-in-file-333333']));
    expect(s.keyring).toEqual({ available: true, description: 'the OS keyring (in memory)' });
  });

  it("QuantCoder 2.0's variable in the environment still wins over the keyring", () => {
    const s = loadSettings(env({ QUANTCONNECT_API_KEY: 'qc-legacy-environment-1' }), {}, memoryKeyring({ 'quantconnect.apiToken': 'qc-from-keyring-22222' }));
    expect(s.config.quantconnect.apiToken).toBe('qc-legacy-environment-1');
    expect(s.secretSources['quantconnect.apiToken']).toBe('env');
  });

  it('a keyring that cannot be read is a warning, and .env still serves', () => {
    fs.writeFileSync(path.join(home, '.env'), 'OPENAI_API_KEY=sk-from-dotenv-111111\n', { mode: 0o600 });
    const locked: SecretStore = {
      ...memoryKeyring({}),
      readAll: () => {
        throw new KeyringUnavailableError('Cannot get secret of a locked object');
      },
    };
    const s = loadSettings(env(), {}, locked);
    expect(s.config.openai.apiKey).toBe('sk-from-dotenv-111111');
    expect(s.secretSources['openai.apiKey']).toBe('dotenv');
    expect(s.warnings).toEqual([expect.stringMatching(/the OS keyring \(in memory\) could not be read \(Cannot get secret of a locked object\)/)]);
    expect(s.keyring.available).toBe(false);
  });

  it('without a session bus there is no Secret Service to ask, and that goes unsaid', () => {
    expect(() => osKeyring(home, {}, 'linux')).toThrow(/DBUS_SESSION_BUS_ADDRESS is not set/);
    if (process.platform !== 'linux') return; // elsewhere the OS keyring needs no bus
    const s = loadSettings(env());
    expect(s.keyring).toEqual({ available: false, reason: expect.stringMatching(/no D-Bus session bus/) });
    expect(s.warnings).toEqual([]);
  });

  it('.env keeps its other lines and comments, replaces a variable in place of adding a second, and reads back what it wrote', () => {
    const file = path.join(home, '.env');
    fs.writeFileSync(file, '# keys\nLOG_LEVEL=warn\nOPENAI_API_KEY=old\n', { mode: 0o644 });
    editDotenv(file, 'OPENAI_API_KEY', 'sk-with space#and"quote');
    expect(fs.readFileSync(file, 'utf8')).toBe(`# keys\nLOG_LEVEL=warn\nOPENAI_API_KEY='sk-with space#and"quote'\n`);
    expect(parseDotenv(fs.readFileSync(file, 'utf8')).OPENAI_API_KEY).toBe('sk-with space#and"quote');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(editDotenv(file, 'OPENAI_API_KEY', undefined)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('# keys\nLOG_LEVEL=warn\n');
    expect(() => editDotenv(file, 'OPENAI_API_KEY', `it's "both"`)).toThrow(/both kinds of quote/);
  });
});
