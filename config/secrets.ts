import { Entry, findCredentials } from '@napi-rs/keyring';
import { ENV_KEYS, SECRET_KEYS } from '../domain/config';

/**
 * Where QuantCoder's secrets (API keys, the QuantConnect token, a database URL with its password)
 * live besides the environment: the OS keyring when there is one (macOS Keychain, Windows
 * Credential Manager, the Secret Service of GNOME Keyring or KWallet on Linux), else
 * `$QUANTCODER_HOME/.env`, written readable by its owner only.
 *
 * Lookup order: environment, keyring, `.env` (then a value left in config.json by an older version).
 */

export type SecretKey = (typeof SECRET_KEYS)[number];
export type SecretSource = 'env' | 'keyring' | 'dotenv' | 'file';

export function isSecretKey(key: string): key is SecretKey {
  return (SECRET_KEYS as readonly string[]).includes(key);
}

/** The environment variable that holds a secret (also its name in `.env`). */
export function secretEnvName(key: SecretKey): string {
  return Object.entries(ENV_KEYS).find(([, k]) => k === key)![0];
}

/** An OS keyring that could not be used, and why (never holds a secret). */
export class KeyringUnavailableError extends Error {
  override readonly name = 'KeyringUnavailableError';
}

export interface SecretStore {
  /** For messages: "the OS keyring (Secret Service)". */
  readonly description: string;
  /** Every secret this QuantCoder home keeps there, by config key. */
  readAll(): Partial<Record<SecretKey, string>>;
  write(key: SecretKey, value: string): void;
  /** True when there was a value to remove. */
  remove(key: SecretKey): boolean;
}

const PLATFORM_KEYRING: Record<string, string> = {
  darwin: 'macOS Keychain',
  win32: 'Windows Credential Manager',
  linux: 'Secret Service',
  freebsd: 'Secret Service',
};

/**
 * The OS keyring's entries for one QuantCoder home. Each home has its own entries (service
 * `quantcoder@<home>`), as it has its own `.env`, so a second home or a test never sees another's keys.
 * Throws KeyringUnavailableError when there is no usable keyring.
 */
export function osKeyring(home: string, env: Record<string, string | undefined> = process.env, platform = process.platform): SecretStore {
  const kind = PLATFORM_KEYRING[platform];
  if (!kind) throw new KeyringUnavailableError(`no OS keyring is supported on ${platform}`);
  // The Secret Service is reached over the D-Bus session bus, which a server, a container or an ssh
  // login often lacks: say so instead of letting libdbus fail with its own words.
  if (kind === 'Secret Service' && !env.DBUS_SESSION_BUS_ADDRESS) {
    throw new KeyringUnavailableError('no D-Bus session bus to reach a Secret Service: DBUS_SESSION_BUS_ADDRESS is not set');
  }
  const service = `quantcoder@${home}`;
  // On Linux the library would fall back silently to the kernel keyring, which forgets everything
  // at reboot: ask for the Secret Service explicitly.
  const options = kind === 'Secret Service' ? { linux: { store: 'secret-service' as const } } : undefined;
  const entry = (key: SecretKey) => keyringCall(() => new Entry(service, key, options));
  return {
    description: `the OS keyring (${kind})`,
    readAll() {
      const found = keyringCall(() => findCredentials(service));
      return Object.fromEntries(found.filter((c) => isSecretKey(c.account) && c.password).map((c) => [c.account, c.password]));
    },
    write(key, value) {
      const e = entry(key);
      keyringCall(() => e.setPassword(value));
      // A keyring that accepts a value but cannot give it back is no place for it.
      if (keyringCall(() => e.getPassword()) !== value) throw new KeyringUnavailableError('the value written could not be read back');
    },
    remove(key) {
      const e = entry(key);
      return keyringCall(() => e.deleteCredential());
    },
  };
}

/** Runs one keyring call; whatever goes wrong (locked, no daemon, no collection) becomes KeyringUnavailableError. */
function keyringCall<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    const message = (err as Error).message?.replace(/\s+/g, ' ').trim() || String(err);
    throw new KeyringUnavailableError(message);
  }
}

/** The OS keyring for a home, or why there is none. */
export function keyringFor(home: string, env: Record<string, string | undefined> = process.env): SecretStore | KeyringUnavailableError {
  try {
    return osKeyring(home, env);
  } catch (err) {
    if (err instanceof KeyringUnavailableError) return err;
    throw err;
  }
}
