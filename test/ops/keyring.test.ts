import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, runCli, tempHome } from '../helpers/cli';

/**
 * Secrets in the OS keyring, against a real Secret Service: GNOME Keyring's daemon on a private
 * D-Bus session bus (dbus-run-session), its login keyring created and unlocked with a password on
 * standard input, as a desktop login does. The CLI runs as a user runs it; the keyring is read back
 * with libsecret's `secret-tool`, which knows nothing of QuantCoder.
 */

const SECRET = 'sk-test-KEYRINGvalue-0987654321';
const TOKEN = 'qc-token-KEYRING-ABCDEFGH';
const LOCKED = 'sk-ant-LOCKEDkeyring-1234567';

const TOOLS = ['dbus-run-session', 'gnome-keyring-daemon', 'secret-tool'];
const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (missing.length && process.env.CI) throw new Error(`CI needs ${missing.join(', ')} (scripts/ci-extras.sh installs them)`);
if (missing.length) console.warn(`Skipping the Secret Service tests: ${missing.join(', ')} not installed (apt-get install gnome-keyring libsecret-tools dbus)`);
const withSecretService = missing.length ? describe.skip : describe;

interface Step {
  name: string;
  /** Shell command; $QC runs the CLI. */
  command: string;
}

/** Runs the steps in one D-Bus session with an unlocked GNOME Keyring; returns each step's output and exit code. */
function inKeyringSession(home: string, steps: Step[]): Record<string, { out: string; code: number }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-keyring-'));
  const userHome = path.join(work, 'user');
  fs.mkdirSync(userHome);
  const lines = [
    'set -u',
    // the daemon creates and unlocks the login keyring with the password it reads
    'printf %s "test-login-password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null',
    ...steps.map((s) => `${s.command} >"$OUT/${s.name}.out" 2>&1; echo $? >"$OUT/${s.name}.code"`),
  ];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: userHome, // the daemon keeps its keyrings under $HOME/.local/share/keyrings: a throwaway one
    QUANTCODER_HOME: home,
    TEMPORAL_ADDRESS: '127.0.0.1:9', // health must not find a server, and must not wait for one
    OUT: work,
    QC: `${process.execPath} ${BIN}`,
  };
  execFileSync('dbus-run-session', ['--', 'bash', '-c', lines.join('\n')], { env, cwd: ROOT, timeout: 120_000, stdio: 'ignore' });
  const results: Record<string, { out: string; code: number }> = {};
  for (const s of steps) {
    results[s.name] = { out: fs.readFileSync(path.join(work, `${s.name}.out`), 'utf8'), code: Number(fs.readFileSync(path.join(work, `${s.name}.code`), 'utf8')) };
  }
  fs.rmSync(work, { recursive: true, force: true });
  return results;
}

describe('secrets in the OS keyring', () => {
  const homes: string[] = [];
  afterAll(() => homes.forEach((h) => fs.rmSync(h, { recursive: true, force: true })));
  const home = () => {
    const h = tempHome();
    homes.push(h);
    return h;
  };

  withSecretService('with a Secret Service (GNOME Keyring)', () => {
    it('config set stores a secret in the keyring, not in .env or config.json; show, get and health name the keyring and mask it', () => {
      const h = home();
      fs.writeFileSync(path.join(h, '.env'), 'OPENAI_API_KEY=sk-an-older-copy-1234567\nLOG_LEVEL=warn\n', { mode: 0o600 });
      const r = inKeyringSession(h, [
        { name: 'set', command: `$QC config set openai.apiKey ${SECRET}` },
        { name: 'setStdin', command: `printf %s ${TOKEN} | $QC config set quantconnect.apiToken -` },
        { name: 'lookup', command: `secret-tool lookup service "quantcoder@$QUANTCODER_HOME" username openai.apiKey` },
        { name: 'show', command: '$QC config show' },
        { name: 'showJson', command: '$QC config show --json' },
        { name: 'get', command: '$QC config get openai.apiKey --json' },
        { name: 'health', command: 'QUANTCONNECT_USER_ID=42 $QC health' },
        { name: 'unset', command: '$QC config unset openai.apiKey' },
        { name: 'lookupAfterUnset', command: `secret-tool lookup service "quantcoder@$QUANTCODER_HOME" username openai.apiKey` },
      ]);
      expect(r.set!.code).toBe(0);
      expect(r.set!.out).toContain(`Stored openai.apiKey = sk-…21 (${SECRET.length} chars) in the OS keyring (Secret Service).`);
      expect(r.set!.out).toContain(`Removed the older copy from ${path.join(h, '.env')}.`);
      expect(r.setStdin!.code).toBe(0);
      expect(r.setStdin!.out).toMatch(/Stored quantconnect\.apiToken = .* in the OS keyring \(Secret Service\)\./);

      // in the keyring, as another program reads it; nowhere on disk in QuantCoder's files
      expect(r.lookup!.out).toBe(SECRET);
      const dotenv = fs.readFileSync(path.join(h, '.env'), 'utf8');
      expect(dotenv).toBe('LOG_LEVEL=warn\n');
      expect(fs.readFileSync(path.join(h, 'config.json'), 'utf8')).not.toMatch(/KEYRING|apiKey|apiToken/);

      expect(r.show!.out).toMatch(/^openai\.apiKey\s+sk-…21 \(31 chars\)\s+keyring$/m);
      expect(r.show!.out).toMatch(/^quantconnect\.apiToken\s+qc-…GH \(25 chars\)\s+keyring$/m);
      expect(r.show!.out).toContain('# secrets: `config set` stores them in the OS keyring (Secret Service)');
      const shown = JSON.parse(r.showJson!.out) as { sources: Record<string, string>; keyring: { available: boolean } };
      expect(shown.sources['openai.apiKey']).toBe('keyring');
      expect(shown.keyring.available).toBe(true);
      expect(JSON.parse(r.get!.out)).toEqual({ key: 'openai.apiKey', value: `sk-…21 (${SECRET.length} chars)`, source: 'keyring' });
      expect(r.health!.out).toMatch(/api_keys\s+Found: OPENAI_API_KEY \(OS keyring, sk-…21 \(31 chars\)\)/);
      expect(r.health!.out).toMatch(/quantconnect\s+QuantConnect credentials configured \(user 42; token from OS keyring, qc-…GH \(25 chars\)\)/);

      expect(r.unset!.out).toContain('Removed openai.apiKey from the OS keyring (Secret Service).');
      expect(r.lookupAfterUnset!.out).toBe('');
      expect(r.lookupAfterUnset!.code).not.toBe(0);

      for (const step of Object.keys(r).filter((n) => !n.startsWith('lookup'))) {
        expect(`${step}: ${r[step]!.out}`).not.toContain(SECRET);
        expect(`${step}: ${r[step]!.out}`).not.toContain(TOKEN);
      }
    });

    it('the environment wins over the keyring, and the keyring over .env', () => {
      const h = home();
      fs.writeFileSync(path.join(h, '.env'), 'ANTHROPIC_API_KEY=sk-ant-from-dotenv-1234567\n', { mode: 0o600 });
      const r = inKeyringSession(h, [
        { name: 'set', command: `$QC config set anthropic.apiKey ${SECRET}` },
        // a copy written to .env after the keyring one (by hand, say) is not the one in force
        { name: 'hand', command: 'echo ANTHROPIC_API_KEY=sk-ant-hand-written-99999 >>"$QUANTCODER_HOME/.env"' },
        { name: 'fromKeyring', command: '$QC config get anthropic.apiKey --json' },
        { name: 'fromEnv', command: 'ANTHROPIC_API_KEY=sk-ant-from-environment-42 $QC config get anthropic.apiKey --json' },
      ]);
      expect(JSON.parse(r.fromKeyring!.out)).toEqual({ key: 'anthropic.apiKey', value: `sk-…21 (${SECRET.length} chars)`, source: 'keyring' });
      expect(JSON.parse(r.fromEnv!.out)).toMatchObject({ value: 'sk-…42 (26 chars)', source: 'env ANTHROPIC_API_KEY' });
    });

    it('a locked keyring is a clear fallback to .env, never a crash and never the secret printed', () => {
      const h = home();
      const r = inKeyringSession(h, [
        { name: 'set', command: `$QC config set openai.apiKey ${SECRET}` },
        // a fresh daemon starts with the login keyring locked, and no one is there to type its password
        { name: 'lock', command: 'gnome-keyring-daemon --replace --components=secrets --daemonize >/dev/null' },
        { name: 'setLocked', command: `$QC config set anthropic.apiKey ${LOCKED}` },
        { name: 'show', command: '$QC config show' },
      ]);
      expect(r.set!.out).toContain('in the OS keyring (Secret Service)');
      expect(r.setLocked!.code).toBe(0);
      expect(r.setLocked!.out).toMatch(/Not stored in the OS keyring: the OS keyring \(Secret Service\) refused it/);
      expect(r.setLocked!.out).toContain(`Stored anthropic.apiKey = sk-…67 (${LOCKED.length} chars) in ${path.join(h, '.env')} (mode 600).`);
      expect(fs.readFileSync(path.join(h, '.env'), 'utf8')).toBe(`ANTHROPIC_API_KEY=${LOCKED}\n`);
      expect(fs.statSync(path.join(h, '.env')).mode & 0o777).toBe(0o600);
      expect(r.show!.code).toBe(0);
      expect(r.show!.out).toMatch(/Warning: the OS keyring \(Secret Service\) could not be read \(.+\); secrets kept there are not in use/);
      expect(r.show!.out).toMatch(/^anthropic\.apiKey\s+sk-…67 \(28 chars\)\s+\.env ANTHROPIC_API_KEY$/m);
      for (const res of Object.values(r)) {
        expect(res.out).not.toContain(SECRET);
        expect(res.out).not.toContain(LOCKED);
      }
    });
  });

  it('without a Secret Service, config set writes .env with mode 600 and says so', async () => {
    const h = home();
    const env = { QUANTCODER_HOME: h, DBUS_SESSION_BUS_ADDRESS: '' };
    const set = await runCli(['config', 'set', 'openai.apiKey', SECRET], env);
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('Not stored in the OS keyring: no D-Bus session bus to reach a Secret Service: DBUS_SESSION_BUS_ADDRESS is not set.');
    expect(set.stdout).toContain(`Stored openai.apiKey = sk-…21 (${SECRET.length} chars) in ${path.join(h, '.env')} (mode 600).`);
    const file = path.join(h, '.env');
    expect(fs.readFileSync(file, 'utf8')).toBe(`OPENAI_API_KEY=${SECRET}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(h, 'config.json'), 'utf8')).not.toContain(SECRET);

    const show = await runCli(['config', 'show'], env);
    expect(show.stdout).toMatch(/^openai\.apiKey\s+sk-…21 \(31 chars\)\s+\.env OPENAI_API_KEY$/m);
    expect(show.stdout).toContain(`# secrets: no OS keyring (no D-Bus session bus to reach a Secret Service: DBUS_SESSION_BUS_ADDRESS is not set); \`config set\` stores them in ${file} (mode 600)`);
    for (const res of [set, show]) expect(res.stdout + res.stderr).not.toContain(SECRET);

    // setting it again replaces the line instead of adding a second one
    await runCli(['config', 'set', 'openai.apiKey', 'sk-second-value-7654321'], env);
    expect(fs.readFileSync(file, 'utf8')).toBe('OPENAI_API_KEY=sk-second-value-7654321\n');
  });
});
