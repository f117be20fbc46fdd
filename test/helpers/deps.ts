import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../../activities';
import { buildActivityDeps } from '../../worker/deps';
import { loadSettings, type Settings } from '../../config/settings';

/** A fresh QUANTCODER_HOME with the given config.json, and the settings loaded from it. */
export function testSettings(config: Record<string, unknown> = {}, env: Record<string, string> = {}): Settings {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-home-'));
  fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify(config));
  return loadSettings({ QUANTCODER_HOME: home, HOME: home, PATH: process.env.PATH, ...env });
}

/**
 * Activity deps exactly as the worker builds them, on a fresh home (learning database, artifacts,
 * downloads). Point services at a fake server with `crossrefUrl`, or at the sandbox with `sandboxUrl`.
 */
export function testDeps(options: { crossrefUrl?: string; sandboxUrl?: string; config?: Record<string, unknown> }): ActivityDeps & { home: string; settings: Settings; cleanup(): Promise<void> } {
  const config: Record<string, unknown> = { ...(options.config ?? {}) };
  if (options.crossrefUrl) config.crossref = { baseUrl: options.crossrefUrl, timeoutSeconds: 2 };
  if (options.sandboxUrl) {
    config.profile = 'sandbox';
    config.sandbox = { url: options.sandboxUrl };
    config.quantconnect = { pollSeconds: 0.05, ...((config.quantconnect as object) ?? {}) };
  }
  const settings = testSettings(config);
  const deps = buildActivityDeps(settings);
  return {
    ...deps,
    home: settings.layout.home,
    settings,
    async cleanup() {
      await deps.prisma.$disconnect();
      fs.rmSync(settings.layout.home, { recursive: true, force: true });
    },
  };
}
