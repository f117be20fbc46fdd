import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli';

interface Files {
  compose: string;
  dockerfile: string;
  /** undefined: no .dockerignore next to the Dockerfile */
  dockerignore?: string;
}

const real = (): Files => ({
  compose: fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'),
  dockerfile: fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'),
  dockerignore: fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'),
});

function check(files: Files): { code: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-containers-'));
  try {
    fs.writeFileSync(path.join(dir, 'docker-compose.yml'), files.compose);
    // the files the Compose file bind-mounts, beside the copy as beside the original
    fs.mkdirSync(path.join(dir, 'docker'));
    fs.copyFileSync(path.join(ROOT, 'docker', 'temporal-dynamicconfig.yaml'), path.join(dir, 'docker', 'temporal-dynamicconfig.yaml'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), files.dockerfile);
    if (files.dockerignore !== undefined) fs.writeFileSync(path.join(dir, '.dockerignore'), files.dockerignore);
    const res = spawnSync('bash', [path.join(ROOT, 'scripts', 'check-containers.sh'), path.join(dir, 'docker-compose.yml'), path.join(dir, 'Dockerfile')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: res.status, output: `${res.stdout}${res.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Replaces text that must be present, so a fault that no longer applies breaks the test instead of passing it. */
function edit(text: string, from: string | RegExp, to: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`fault injection found nothing to replace: ${String(from)}`);
  return next;
}

const workerBlock = /^  worker:\n[\s\S]*?(?=^  cli:)/m;
const inWorker = (compose: string, from: string | RegExp, to: string) => edit(compose, workerBlock, edit(workerBlock.exec(compose)![0], from, to));

// The faults a static review found in the first container files, each injected alone into a copy.
const faults: Array<[string, (f: Files) => Files, RegExp[]]> = [
  ['1. no .dockerignore: the host node_modules, dist/ and .env would reach the image', (f) => ({ ...f, dockerignore: undefined }), [/FAIL .*\.dockerignore is missing/, /FAIL .*node_modules is not excluded/]],
  ['1b. a .dockerignore that lets .env through', (f) => ({ ...f, dockerignore: edit(f.dockerignore!, /^(\*\*\/)?\.env\n/gm, '') }), [/FAIL .*\.env is not excluded/]],
  [
    '2. the container health check runs `quantcoder health`',
    (f) => ({ ...f, dockerfile: edit(f.dockerfile, '"worker", "--liveness"]', '"health"]') }),
    [/FAIL .*Dockerfile: the final stage needs a HEALTHCHECK that runs the worker's liveness probe/],
  ],
  ['2b. the compose health check runs `quantcoder health`', (f) => ({ ...f, compose: inWorker(f.compose, '"worker", "--liveness"]', '"health"]') }), [/FAIL .*worker healthcheck .* must run/]],
  ['3. Docker stops workers after the default 10 s', (f) => ({ ...f, compose: inWorker(f.compose, /^    stop_grace_period: .*\n/m, '') }), [/FAIL .*stop_grace_period \(default 10s\) must exceed/]],
  ['3b. a shutdown grace shorter than a silent activity', (f) => ({ ...f, compose: inWorker(f.compose, /QUANTCODER_SHUTDOWN_GRACE_SECONDS: "\d+"/, 'QUANTCODER_SHUTDOWN_GRACE_SECONDS: "10"') }), [/FAIL .*QUANTCODER_SHUTDOWN_GRACE_SECONDS \(10\) must exceed/]],
  ['4. Node 20 in the image', (f) => ({ ...f, dockerfile: edit(f.dockerfile, /node:24-bookworm-slim/g, 'node:20-bookworm-slim') }), [/FAIL .*FROM node:20-bookworm-slim: .*not a known-good tag/]],
  [
    '4b. the deprecated auto-setup image with a health check that ignores the namespace',
    (f) => ({
      ...f,
      compose: edit(edit(f.compose, /temporalio\/server:[\d.]+/, 'temporalio/auto-setup:1.28'), /^    depends_on:\n      temporal-create-namespace:\n        condition: service_completed_successfully\n(?=      migrate:)/m, '    depends_on:\n      temporal:\n        condition: service_healthy\n'),
    }),
    [/FAIL .*temporalio\/auto-setup is not an image QuantCoder runs on/, /FAIL .*worker must depend on temporal-create-namespace/],
  ],
  ['5. replicas race the learning-database migration', (f) => ({ ...f, compose: inWorker(f.compose, /^      migrate:\n        condition: service_completed_successfully\n/m, '') }), [/FAIL .*race the migration/]],
  ['6. SQLite on the shared volume', (f) => ({ ...f, compose: edit(f.compose, /^  QUANTCODER_DATABASE_URL: .*\n/m, '') }), [/FAIL .*worker: QUANTCODER_DATABASE_URL must be postgresql/]],
  ['6b. an image without the PostgreSQL Prisma client', (f) => ({ ...f, dockerfile: edit(f.dockerfile, 'RUN npm run prisma:generate', 'RUN npx --no-install prisma generate') }), [/FAIL .*runtime stage lacks \/app\/node_modules\/\.prisma\/postgres-client/]],
  ['7. every replica writes the same log file', (f) => ({ ...f, compose: edit(f.compose, /^  QUANTCODER_LOG_FILE: none\n/m, '') }), [/FAIL .*worker: set QUANTCODER_LOG_FILE=none/]],
  ['7b. the image logs to a file', (f) => ({ ...f, dockerfile: edit(f.dockerfile, /^    QUANTCODER_LOG_FILE=none \\\n/m, '') }), [/FAIL .*image must set QUANTCODER_LOG_FILE=none/]],
  ['7c. malloc arenas per thread', (f) => ({ ...f, dockerfile: edit(f.dockerfile, /^    MALLOC_ARENA_MAX=2 \\\n/m, '') }), [/FAIL .*the image must set MALLOC_ARENA_MAX=2/]],
  ['8. no oclif manifest in the image', (f) => ({ ...f, dockerfile: edit(f.dockerfile, ' /app/oclif.manifest.json ./', ' ./') }), [/FAIL .*runtime stage lacks \/app\/oclif\.manifest\.json/]],
  ['8b. workflows bundled at every start', (f) => ({ ...f, dockerfile: edit(f.dockerfile, /^    QUANTCODER_WORKFLOW_BUNDLE=.*\n/m, '') }), [/FAIL .*the image must set QUANTCODER_WORKFLOW_BUNDLE/]],
  ['8c. the Temporal frontend published on every interface', (f) => ({ ...f, compose: edit(f.compose, /"\$\{QUANTCODER_BIND:-127\.0\.0\.1\}:7233:7233"/, '"7233:7233"') }), [/FAIL .*temporal publishes "7233:7233" on every interface/]],
  ['9a. a Temporal tag that does not exist', (f) => ({ ...f, compose: edit(f.compose, /temporalio\/server:[\d.]+/, 'temporalio/server:1.99.0') }), [/FAIL .*tag 1\.99\.0 is not a known-good tag of temporalio\/server/]],
  ['9b. a worker pointed at localhost', (f) => ({ ...f, compose: edit(f.compose, /^  TEMPORAL_ADDRESS: temporal:7233\n/m, '  TEMPORAL_ADDRESS: localhost:7233\n') }), [/FAIL .*worker: TEMPORAL_ADDRESS "localhost:7233" must name a service/]],
  ['9c. a musl base image', (f) => ({ ...f, dockerfile: edit(f.dockerfile, /node:24-bookworm-slim AS runtime/, 'node:24-alpine AS runtime') }), [/FAIL .*FROM node:24-alpine: musl images break/]],
  ['9d. no python3 in the runtime stage', (f) => ({ ...f, dockerfile: edit(f.dockerfile, 'install -y --no-install-recommends python3 tini', 'install -y --no-install-recommends tini') }), [/FAIL .*runtime stage lacks python3/]],
  ['9e. HEALTHCHECK CMD echo health', (f) => ({ ...f, dockerfile: edit(f.dockerfile, /^HEALTHCHECK .*$/m, 'HEALTHCHECK CMD echo health') }), [/FAIL .*needs a HEALTHCHECK that runs the worker's liveness probe/]],
  [
    '9f. a bind-mounted file that is not there',
    (f) => ({ ...f, compose: edit(f.compose, './docker/temporal-dynamicconfig.yaml:', './docker/temporal-dynamic-config.yaml:') }),
    [/FAIL .*bind-mounted source\(s\) missing next to the Compose file: \.\/docker\/temporal-dynamic-config\.yaml/],
  ],
];

describe('scripts/check-containers.sh', () => {
  it('passes the project\'s Dockerfile, docker-compose.yml and .dockerignore', () => {
    const res = check(real());
    expect(res.output).not.toMatch(/^FAIL/m);
    expect(res.output).toMatch(/valid against the Compose specification schema/);
    expect(res.output).toMatch(/containers: all static checks passed/);
    expect(res.code).toBe(0);
  });

  it.each(faults)('fails on fault %s', (_name, inject, why) => {
    const res = check(inject(real()));
    for (const w of why) expect(res.output).toMatch(w);
    expect(res.output).toMatch(/containers: static checks FAILED/);
    expect(res.code).toBe(1);
  });

  it('rejects a Compose file the specification does not allow', () => {
    const res = check({ ...real(), compose: edit(real().compose, /^  worker:\n/m, '  worker:\n    scale_policy: fast\n') });
    expect(res.output).toMatch(/FAIL .*does not follow the Compose specification: .*scale_policy/);
    expect(res.code).toBe(1);
  });

  it('judges alike with the Compose schema compiled now, from its cache, and after a damaged cache entry', () => {
    const cacheDir = path.join(ROOT, 'node_modules', '.cache', 'quantcoder-ajv');
    const entries = () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir).filter((f) => f.endsWith('.cjs')) : []);
    const bad = { ...real(), compose: edit(real().compose, /^  worker:\n/m, '  worker:\n    scale_policy: fast\n') };
    const verdicts = () => [check(real()), check(bad)].map((r) => ({ code: r.code, schema: /valid against the Compose|does not follow the Compose[^\n]*/.exec(r.output)?.[0] }));
    // (other checks running meanwhile only compile the schema themselves)
    fs.rmSync(cacheDir, { recursive: true, force: true });
    const fresh = verdicts();
    expect(fresh).toEqual([
      { code: 0, schema: 'valid against the Compose' },
      { code: 1, schema: expect.stringMatching(/does not follow the Compose specification: .*scale_policy/) },
    ]);
    expect(entries()).toHaveLength(1);
    const entry = path.join(cacheDir, entries()[0]!);
    const stale = path.join(cacheDir, 'compose-spec-0123456789abcdef.cjs');
    fs.copyFileSync(entry, stale);
    expect(verdicts()).toEqual(fresh);
    fs.writeFileSync(entry, 'module.exports = (');
    expect(verdicts()).toEqual(fresh);
    expect(fs.readFileSync(entry, 'utf8')).toMatch(/^"use strict";module\.exports = validate/);
    // written again, it replaced the other entries
    expect(entries()).toEqual([path.basename(entry)]);
  });

  it('fails a Docker command in the docs that names no service or no QuantCoder command', () => {
    // the docs are read from the project; a Compose file without the cli service breaks their commands
    const res = check({ ...real(), compose: edit(real().compose, /^  cli:\n/m, '  shell:\n') });
    expect(res.output).toMatch(/FAIL README\.md: `docker compose run --rm cli search "momentum"`: no service "cli"/);
    expect(res.code).toBe(1);
  });
});
