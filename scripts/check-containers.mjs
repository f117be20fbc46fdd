// Static checks of QuantCoder's container files, without a Docker engine (run by scripts/check-containers.sh):
//   1. docker-compose.yml against the Compose specification's JSON schema (docker/compose-spec.json);
//   2. every image reference against the pinned list of known-good tags (docker/images.json);
//   3. QuantCoder's rules for a cluster: namespace and migration gates, restart policies, loopback ports,
//      stop timeouts longer than the worker's shutdown grace, PostgreSQL learning store, logs to stdout;
//   4. the runtime stage's file tree, built by replaying the Dockerfile's COPY/RUN steps on a model of the
//      build context (filtered by .dockerignore): what the image would contain, and where each file came from;
//   5. every `docker` command in the README's and docs/RUNBOOK.md's Docker sections against the files above.
// The Dockerfile is linted by hadolint in the shell script. Prints `ok`/`FAIL` lines; exits 1 on any failure.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('yaml');
const Ajv = require('ajv').default;

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const [composeFile, dockerfile, dockerignoreFile] = process.argv.slice(2);
const problems = [];
const ok = [];
const check = (file, cond, good, bad) => (cond ? ok.push(`${file}: ${good}`) : problems.push(`${file}: ${bad}`));

const pinned = JSON.parse(fs.readFileSync(path.join(ROOT, 'docker', 'images.json'), 'utf8'));

// --- docker-compose.yml: interpolation as Compose does it, with an empty environment (defaults apply) ---------
const interpolate = (value) =>
  typeof value === 'string'
    ? value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name, dflt) =>
        m === '$$' ? '$' : name !== undefined ? (dflt ?? '') : '',
      )
    : Array.isArray(value)
      ? value.map(interpolate)
      : value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]))
        : value;

const doc = YAML.parseDocument(fs.readFileSync(composeFile, 'utf8'), { merge: true });
if (doc.errors.length) problems.push(`${composeFile}: not valid YAML: ${doc.errors[0].message}`);
const compose = interpolate(doc.toJS({ maxAliasCount: 100 }) ?? {});

const validate = composeValidator();
const schemaOk = validate(compose);
check(
  composeFile,
  schemaOk,
  'valid against the Compose specification schema',
  `does not follow the Compose specification: ${(validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`)
    .join('; ')}`,
);

const services = compose.services ?? {};

/**
 * The Compose schema's validator. Compiling the schema is most of this script's time, so the compiled
 * validator (Ajv's standalone code) is kept in node_modules/.cache, named by the schema's, Ajv's and
 * the options' hash; an unreadable entry is compiled again and replaced, and one written replaces the rest.
 */
function composeValidator() {
  const options = { allErrors: true, strict: false, validateFormats: false };
  const schemaText = fs.readFileSync(path.join(ROOT, 'docker', 'compose-spec.json'), 'utf8');
  const key = createHash('sha1')
    .update(`${require('ajv/package.json').version}\0${JSON.stringify(options)}\0${schemaText}`)
    .digest('hex')
    .slice(0, 16);
  const cached = path.join(ROOT, 'node_modules', '.cache', 'quantcoder-ajv', `compose-spec-${key}.cjs`);
  try {
    return require(cached);
  } catch {
    // not compiled yet, or unreadable: compile below
  }
  const ajv = new Ajv({ ...options, code: { source: true } });
  const schema = JSON.parse(schemaText);
  // the schema names draft-07 by its https URL, which Ajv registers under http: same meta-schema
  schema.$schema = 'http://json-schema.org/draft-07/schema#';
  const compiled = ajv.compile(schema);
  try {
    const code = require('ajv/dist/standalone').default(ajv, compiled);
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, cached);
    // entries for an earlier schema or Ajv are of no more use
    for (const f of fs.readdirSync(path.dirname(cached))) {
      if (/^compose-spec-[0-9a-f]+\.cjs$/.test(f) && f !== path.basename(cached)) fs.rmSync(path.join(path.dirname(cached), f), { force: true });
    }
  } catch {
    // a cache that cannot be written only costs the next run this compile
  }
  return compiled;
}
const envOf = (svc) => {
  const env = svc?.environment ?? {};
  return Array.isArray(env) ? Object.fromEntries(env.map((e) => String(e).split(/=(.*)/s).slice(0, 2))) : env;
};
const dependsOn = (svc) => {
  const d = svc?.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, { condition: 'service_started' }])) : d;
};
const seconds = (v) => {
  if (v === undefined) return undefined;
  const m = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(String(v));
  return m && (m[1] || m[2]) ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : Number.NaN;
};

for (const name of ['postgresql', 'temporal-admin-tools', 'temporal', 'temporal-create-namespace', 'temporal-ui', 'migrate', 'worker', 'cli']) {
  check(composeFile, services[name], `service ${name} present`, `service "${name}" is missing (Temporal's compose layout plus QuantCoder's migrate, worker and cli)`);
}

// Image references: pinned tags only; quantcoder's own image must be built by some service.
const builtImages = new Set(Object.values(services).filter((s) => s.build !== undefined && s.image).map((s) => String(s.image).split(':')[0]));
const imageProblem = (ref) => {
  const m = /^([^:@]+)(?::([^@]+))?(@sha256:[0-9a-f]{64})?$/.exec(ref);
  if (!m) return `"${ref}" is not an image reference`;
  const [, repo, tag] = m;
  if (pinned.built.includes(repo)) return builtImages.has(repo) || !composeFile ? undefined : `"${ref}" is QuantCoder's image but no service builds it`;
  if (!tag) return `"${ref}" has no tag (an implicit :latest changes under you)`;
  const known = pinned.images[repo];
  if (!known) return `"${ref}": ${repo} is not an image QuantCoder runs on (docker/images.json)`;
  if (!known.includes(tag)) return `"${ref}": tag ${tag} is not a known-good tag of ${repo} (known: ${known.join(', ')})`;
  return undefined;
};
for (const [name, svc] of Object.entries(services)) {
  if (!svc.image) continue;
  const why = imageProblem(String(svc.image));
  check(composeFile, !why, `service ${name} image ${svc.image} is pinned`, `service ${name}: ${why}`);
}

// Temporal after its maintained layout: schema job → server → namespace job; everything of ours waits for the namespace.
const completed = (svc, dep) => dependsOn(svc)[dep]?.condition === 'service_completed_successfully';
check(composeFile, completed(services.temporal, 'temporal-admin-tools'), 'temporal starts after the schema job', 'temporal must depend on temporal-admin-tools with condition service_completed_successfully');
check(composeFile, /setup-schema|update-schema/.test(JSON.stringify(services['temporal-admin-tools']?.command ?? '')), 'the schema job sets up the schema', 'temporal-admin-tools must run temporal-sql-tool setup-schema/update-schema');
const nsCommand = JSON.stringify(services['temporal-create-namespace']?.command ?? '');
check(composeFile, /namespace create/.test(nsCommand) && /namespace describe/.test(nsCommand), 'the namespace job creates and confirms the namespace', 'temporal-create-namespace must create the namespace and wait until `namespace describe` finds it');
for (const name of ['worker', 'cli', 'temporal-ui']) {
  check(composeFile, completed(services[name], 'temporal-create-namespace'), `${name} waits for the namespace`, `${name} must depend on temporal-create-namespace with condition service_completed_successfully (the server is up before the namespace exists)`);
}
check(composeFile, completed(services.worker, 'migrate'), 'workers wait for the one learning-database migration', 'worker must depend on migrate with condition service_completed_successfully: replicas starting together race the migration');
check(composeFile, JSON.stringify(services.migrate?.command ?? '') === JSON.stringify(['db', 'migrate']), 'migrate runs `quantcoder db migrate`', 'migrate must run ["db", "migrate"]');
check(composeFile, /service_healthy/.test(JSON.stringify(dependsOn(services['temporal-admin-tools']))), 'the schema job waits for a healthy PostgreSQL', 'temporal-admin-tools must wait for postgresql to be healthy');

for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker']) {
  check(composeFile, ['always', 'unless-stopped'].includes(services[name]?.restart), `${name} restarts (${services[name]?.restart})`, `${name} needs restart: unless-stopped (or always)`);
}
for (const name of ['temporal-admin-tools', 'temporal-create-namespace', 'migrate']) {
  check(composeFile, /^on-failure/.test(services[name]?.restart ?? ''), `${name} retries on failure`, `${name} is a one-shot job: it needs restart: on-failure[:N]`);
}

// Ports: loopback only by default; the worker publishes none (`--scale` would collide).
for (const [name, svc] of Object.entries(services)) {
  for (const p of svc.ports ?? []) {
    const hostIp = typeof p === 'object' ? p.host_ip : String(p).split(':').length === 3 ? String(p).split(':')[0] : undefined;
    const published = typeof p === 'object' ? p.published !== undefined : String(p).includes(':');
    if (!published) continue;
    check(composeFile, hostIp === '127.0.0.1', `${name} publishes ${JSON.stringify(p)} on loopback`, `${name} publishes ${JSON.stringify(p)} on every interface: bind it to 127.0.0.1 (the Temporal frontend has no authentication)`);
  }
}
const worker = services.worker ?? {};
check(composeFile, !('container_name' in worker), 'worker has no container_name', 'worker must not set container_name: `--scale worker=N` needs generated names');
check(composeFile, (worker.ports ?? []).length === 0, 'worker publishes no host port', `worker publishes host port(s) ${JSON.stringify(worker.ports)}: scaled workers would collide`);

// Every service running QuantCoder points at Temporal and the learning store by service name.
const quantcoderServices = Object.entries(services).filter(([, s]) => String(s.image ?? '').split(':')[0] === 'quantcoder' || s.build !== undefined);
for (const [name, svc] of quantcoderServices) {
  const env = envOf(svc);
  const host = String(env.TEMPORAL_ADDRESS ?? '').split(':')[0];
  check(composeFile, host && services[host], `${name} reaches Temporal at ${env.TEMPORAL_ADDRESS}`, `${name}: TEMPORAL_ADDRESS "${env.TEMPORAL_ADDRESS ?? ''}" must name a service of this file (inside a container, localhost is the container itself)`);
  const db = String(env.QUANTCODER_DATABASE_URL ?? '');
  const dbHost = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^:/?]+)/.exec(db)?.[1];
  check(composeFile, dbHost && services[dbHost], `${name} keeps the learning store in PostgreSQL (${dbHost})`, `${name}: QUANTCODER_DATABASE_URL must be postgresql://…@<service>/…: SQLite on a shared volume does not hold up under several writers`);
  check(composeFile, env.QUANTCODER_LOG_FILE === 'none', `${name} logs to stdout only`, `${name}: set QUANTCODER_LOG_FILE=none: replicas sharing the home volume would write and rotate one log file`);
}

// Stop timeouts: Docker's stop timeout > the worker's grace > the longest activity that does not heartbeat.
const grace = Number(envOf(worker).QUANTCODER_SHUTDOWN_GRACE_SECONDS);
const stop = seconds(worker.stop_grace_period) ?? 10;
let longestSilent;
let minimumGrace;
try {
  const { shutdownGraceSeconds, longestSilentActivitySeconds } = require(path.join(ROOT, 'dist', 'worker', 'shutdown.js'));
  const { resolveConfig } = require(path.join(ROOT, 'dist', 'domain', 'config.js'));
  longestSilent = longestSilentActivitySeconds(resolveConfig({}, {}, 'defaults'));
  // the grace the worker takes by default: the longest silent activity plus time for in-flight work to finish
  minimumGrace = shutdownGraceSeconds(resolveConfig({}, {}, 'defaults'));
} catch (err) {
  problems.push(`${composeFile}: cannot compute the longest non-heartbeating activity (build first: npm run build): ${err.message.split('\n')[0]}`);
}
if (longestSilent !== undefined) {
  check(composeFile, Number.isFinite(grace) && grace >= minimumGrace, `worker shutdown grace ${grace} s ≥ ${minimumGrace} s (longest silent activity ${longestSilent} s plus the drain margin)`, `worker: QUANTCODER_SHUTDOWN_GRACE_SECONDS (${envOf(worker).QUANTCODER_SHUTDOWN_GRACE_SECONDS ?? 'unset'}) must exceed the longest activity that does not heartbeat (${longestSilent} s) by the drain margin: at least ${minimumGrace} s`);
  check(composeFile, Number.isFinite(grace) && stop > grace, `worker stop_grace_period ${stop} s > shutdown grace ${grace} s`, `worker: stop_grace_period (${worker.stop_grace_period ?? 'default 10s'}) must exceed the worker's shutdown grace (${grace} s), or Docker SIGKILLs workers still draining`);
}

// Health checks judge the worker process, not the cluster or its configuration.
const workerHealth = JSON.stringify(worker.healthcheck?.test ?? '');
if (worker.healthcheck) {
  check(composeFile, /"worker","--liveness"/.test(workerHealth), 'worker health check is the liveness probe', `worker healthcheck ${workerHealth} must run ["node", "/app/bin/run.js", "worker", "--liveness"]: \`quantcoder health\` judges the whole system and fails on a missing API key`);
}
const secretsInFile = Object.entries(services).flatMap(([name, s]) =>
  Object.entries(envOf(s)).filter(([k, v]) => /API_KEY|API_TOKEN/.test(k) && v).map(([k]) => `${name}.${k}`),
);
check(composeFile, secretsInFile.length === 0, 'no literal secrets', `secret values written into the file: ${secretsInFile.join(', ')}`);
const declared = Object.keys(compose.volumes ?? {});
// every service's volume sources: a named volume, or a path on the host for a bind mount
const volumeSources = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0] : v.source)).filter(Boolean));
const usedNamed = volumeSources.filter((src) => !/^[./~]/.test(src));
const undeclared = usedNamed.filter((v) => !declared.includes(v));
check(composeFile, undeclared.length === 0, 'every named volume is declared', `named volume(s) used but not declared: ${undeclared.join(', ')}`);
// a bind mount whose source is missing makes Docker create an empty directory in its place: the service finds a directory where it expects the file
const missingBinds = volumeSources.filter((src) => /^\.\.?\//.test(src) && !fs.existsSync(path.resolve(path.dirname(composeFile), src)));
check(composeFile, missingBinds.length === 0, 'every bind-mounted file exists', `bind-mounted source(s) missing next to the Compose file: ${missingBinds.join(', ')}`);
check(composeFile, services.ollama && Array.isArray(services.ollama.profiles) && services.ollama.profiles.length > 0, 'ollama is optional (under a profile)', 'an ollama service under a profile is required (profiles: ["ollama"])');

// --- Dockerfile ---------------------------------------------------------------------------------------------
const text = fs.readFileSync(dockerfile, 'utf8').replace(/\\\r?\n/g, ' ');
const instructions = text
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
const froms = instructions.filter((i) => i.op === 'FROM');
check(dockerfile, froms.length >= 2, `multi-stage (${froms.length} stages)`, `must be multi-stage (found ${froms.length} FROM)`);
const stageNames = froms.map((f) => (f.args.match(/\sAS\s+(\S+)/i) ?? [])[1]).filter(Boolean);
for (const f of froms) {
  const ref = f.args.split(/\s+/).filter((a) => !a.startsWith('--'))[0];
  if (stageNames.includes(ref)) continue;
  const why = imageProblem(ref);
  check(dockerfile, !why, `base image ${ref} is pinned`, `FROM ${ref}: ${why}`);
  check(dockerfile, !/alpine|musl/i.test(ref), `base image ${ref} is glibc`, `FROM ${ref}: musl images break better-sqlite3's and Temporal's prebuilt native modules; use a Debian (bookworm) image`);
}
const finalStage = instructions.slice(instructions.lastIndexOf(froms[froms.length - 1]));
const users = finalStage.filter((i) => i.op === 'USER');
const runAs = users.length ? users[users.length - 1].args.split(':')[0] : 'root';
check(dockerfile, runAs !== 'root' && runAs !== '0', `runs as non-root user "${runAs}"`, 'the final stage must switch to a non-root USER');
const cmdIndex = finalStage.findIndex((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT');
check(dockerfile, users.length > 0 && finalStage.indexOf(users[users.length - 1]) < cmdIndex, 'USER comes before CMD/ENTRYPOINT', 'USER must come before CMD/ENTRYPOINT in the final stage');
const health = finalStage.find((i) => i.op === 'HEALTHCHECK');
const healthCmd = health ? parseExec(health.args.replace(/^(--\S+\s+)*CMD\s+/i, '')) : [];
check(
  dockerfile,
  health && JSON.stringify(healthCmd.slice(-2)) === '["worker","--liveness"]' && healthCmd[0] === 'node',
  'HEALTHCHECK runs the worker liveness probe',
  `the final stage needs a HEALTHCHECK that runs the worker's liveness probe (node /app/bin/run.js worker --liveness), found ${health ? JSON.stringify(health.args) : 'none'}`,
);
const remoteAdd = instructions.filter((i) => i.op === 'ADD' && /(^|\s)(https?|git|ftp):\/\//i.test(i.args));
check(dockerfile, remoteAdd.length === 0, 'no ADD of remote URLs', `ADD of a remote URL (use RUN with a checksum instead): ${remoteAdd.map((i) => i.args).join('; ')}`);
check(dockerfile, !/\b(API_KEY|API_TOKEN)\s*=/.test(instructions.filter((i) => i.op === 'ENV' || i.op === 'ARG').map((i) => i.args).join(' ')), 'no credentials baked into ENV/ARG', 'credentials must not be set with ENV or ARG');

function parseExec(args) {
  const s = args.trim();
  if (s.startsWith('[')) {
    try {
      return JSON.parse(s);
    } catch {
      return [s];
    }
  }
  return s.split(/\s+/);
}

// --- The image's file tree, by replaying the Dockerfile on a model of the build context -------------------------
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ignore = compileDockerignore(dockerignoreFile && fs.existsSync(dockerignoreFile) ? fs.readFileSync(dockerignoreFile, 'utf8') : '');
check(dockerignoreFile, dockerignoreFile && fs.existsSync(dockerignoreFile), '.dockerignore present', '.dockerignore is missing: `COPY . .` would send the host\'s node_modules, dist/ and .env into the image');
for (const p of ['node_modules', 'dist', '.env', '.git', '.tools', 'oclif.manifest.json']) {
  check(dockerignoreFile, ignore(p), `${p} stays out of the build context`, `${p} is not excluded from the build context`);
}
const context = buildContext(ROOT, ignore);
const tree = replay(instructions, context);
const runtime = tree.stages[tree.stages.length - 1];
if (runtime) {
  const mustHave = [
    ['/app/bin/run.js', 'the CLI entry point'],
    ['/app/dist/cli/commands/worker.js', 'compiled commands'],
    ['/app/oclif.manifest.json', 'the oclif manifest (without it every command loads all commands)'],
    ['/app/prisma/migrations', 'the learning-database migrations'],
    ['/app/node_modules/.prisma/client', 'the generated Prisma client'],
    ['/app/node_modules/.prisma/postgres-client', 'the Prisma client for the PostgreSQL learning store'],
    ['/app/prisma/postgres/migrations', 'the PostgreSQL learning-store migrations'],
    ['/app/node_modules/@temporalio/worker', 'production dependencies'],
  ];
  const bundle = runtime.env.QUANTCODER_WORKFLOW_BUNDLE;
  check(dockerfile, !!bundle, `image names a prebuilt workflow bundle (${bundle})`, 'the image must set QUANTCODER_WORKFLOW_BUNDLE to a prebuilt workflow bundle (otherwise every worker start bundles)');
  if (bundle) mustHave.push([bundle, 'the prebuilt workflow bundle']);
  for (const [p, what] of mustHave) {
    check(dockerfile, runtime.has(p), `runtime stage has ${p}`, `runtime stage lacks ${p} (${what})`);
  }
  check(dockerfile, !runtime.has('/app/node_modules/typescript'), 'runtime node_modules has no dev dependencies', 'runtime node_modules still holds dev dependencies (typescript): prune with npm prune --omit=dev');
  check(dockerfile, runtime.packages.has('python3'), 'runtime stage installs python3', 'runtime stage lacks python3 (the quality gate parses generated code with CPython)');
  check(dockerfile, runtime.env.QUANTCODER_LOG_FILE === 'none', 'image logs to stdout only', 'the image must set QUANTCODER_LOG_FILE=none: logs go to the container\'s stdout, not a file on the shared volume');
  check(dockerfile, runtime.env.MALLOC_ARENA_MAX === '2', 'image limits malloc to two arenas', 'the image must set MALLOC_ARENA_MAX=2: glibc otherwise grows an arena per thread of the worker (about 45 MB of its memory at 200 pipelines at once)');
  const entry = finalStage.filter((i) => i.op === 'ENTRYPOINT').pop();
  for (const [what, argv] of [['ENTRYPOINT', entry ? parseExec(entry.args) : []], ['HEALTHCHECK', healthCmd]]) {
    const files = argv.filter((a) => a.startsWith('/'));
    const missing = files.filter((f) => !runtime.has(f));
    check(dockerfile, argv.length > 0 && missing.length === 0, `${what} files exist in the image (${files.join(', ')})`, `${what} runs ${missing.join(', ') || 'nothing'} which the runtime stage does not have`);
  }
  const hostFiles = [...runtime.files.entries()].filter(([p, f]) => f.origin === 'context' && /^\/app\/(node_modules|dist)(\/|$)/.test(p)).map(([p]) => p);
  check(dockerfile, hostFiles.length === 0, 'node_modules and dist/ come from the image build, not the host', `the image holds the host's build output: ${hostFiles.slice(0, 3).join(', ')}`);
}
for (const stage of tree.stages) {
  const secrets = [...stage.files.keys()].filter((p) => /(^|\/)\.env(\.|$)/.test(p));
  check(dockerfile, secrets.length === 0, `stage ${stage.name}: no .env in any layer`, `stage ${stage.name}: ${secrets.join(', ')} lands in a layer (credentials)`);
}
for (const p of tree.problems) problems.push(`${dockerfile}: ${p}`);

// --- Docker commands in the docs ------------------------------------------------------------------------------
const manifestFile = path.join(ROOT, 'oclif.manifest.json');
const commands = fs.existsSync(manifestFile) ? Object.keys(JSON.parse(fs.readFileSync(manifestFile, 'utf8')).commands) : [];
if (!commands.length) problems.push(`${manifestFile}: missing (npm run build writes it); the docs' commands cannot be checked`);
const profiles = new Set(Object.values(services).flatMap((s) => s.profiles ?? []));
const imagesInCompose = new Set(Object.values(services).map((s) => String(s.image ?? '').split(':')[0]));
for (const doc of ['README.md', path.join('docs', 'RUNBOOK.md')]) {
  for (const line of dockerCommands(fs.readFileSync(path.join(ROOT, doc), 'utf8'))) {
    const why = dockerCommandProblem(line);
    check(doc, !why, `covered: ${line}`, `\`${line}\`: ${why}`);
  }
}

function dockerCommands(markdown) {
  // README: the `## Docker` section; RUNBOOK: every ```bash docker block (and its Docker section)
  const lines = [];
  const section = [...markdown.matchAll(/^## (?:Docker|Scaling out)\n([\s\S]*?)(?=^## |$(?![\s\S]))/gm)].map((m) => m[1]).join('\n');
  const blocks = [...markdown.matchAll(/```bash docker\n([\s\S]*?)```/g)].map((m) => m[1]);
  const fenced = [...section.matchAll(/```bash[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const block of [...blocks, ...fenced]) {
    for (const raw of block.split('\n')) {
      const l = raw.replace(/\s+#.*$/, '').trim();
      for (const part of l.split(/\s*(?:\|\||&&|\||;)\s*|\$\(|\)/)) {
        const trimmed = part.trim();
        // a command cut out of "$(…)" keeps one stray quote
        const cmd = (trimmed.match(/"/g) ?? []).length % 2 ? trimmed.replace(/^"|"$/g, '') : trimmed;
        if (/^docker\s/.test(cmd) && !lines.includes(cmd)) lines.push(cmd);
      }
    }
  }
  return lines;
}

function dockerCommandProblem(line) {
  const words = line.match(/"[^"]*"|'[^']*'|\S+/g).map((w) => w.replace(/^["']|["']$/g, ''));
  const quantcoderArgs = (args) => {
    const verbs = [];
    for (const a of args) {
      if (a.startsWith('-')) break;
      verbs.push(a);
    }
    for (let n = verbs.length; n > 0; n--) if (commands.includes(verbs.slice(0, n).join(':'))) return undefined;
    return `\`quantcoder ${args.join(' ')}\` is not a QuantCoder command`;
  };
  if (words[1] === 'compose') {
    let i = 2;
    while (words[i]?.startsWith('-')) {
      if (words[i] === '--profile') {
        if (!profiles.has(words[i + 1])) return `no service has profile "${words[i + 1]}"`;
        i += 2;
      } else if (['-f', '--file', '-p', '--project-name'].includes(words[i])) i += 2;
      else i += 1;
    }
    const sub = words[i];
    const rest = words.slice(i + 1);
    const named = [];
    for (let j = 0; j < rest.length; j++) {
      const w = rest[j];
      if (w === '--scale') {
        const [svc] = rest[++j].split('=');
        if (!services[svc]) return `--scale names no service "${svc}"`;
        if (services[svc].container_name || (services[svc].ports ?? []).length) return `${svc} cannot be scaled (container_name or host ports)`;
      } else if (['--tail', '-u', '--user', '-e', '--env', '-w', '--workdir'].includes(w)) j++;
      else if (!w.startsWith('-')) named.push(w);
    }
    switch (sub) {
      case 'up':
      case 'restart':
      case 'logs':
      case 'ps':
      case 'stop':
      case 'pull':
      case 'build':
      case 'down':
        return named.filter((s) => !services[s]).map((s) => `no service "${s}"`)[0];
      case 'run':
      case 'exec': {
        const [svc, ...args] = named.length ? rest.slice(rest.indexOf(named[0])) : [];
        if (!services[svc]) return `no service "${svc}"`;
        const qcImage = String(services[svc].image ?? '').split(':')[0] === 'quantcoder';
        if (!qcImage) return undefined;
        if (args[0] === 'node') {
          if (!runtime?.has(args[1])) return `${args[1]} is not in the image`;
          return quantcoderArgs(args.slice(2));
        }
        return quantcoderArgs(args);
      }
      default:
        return `docker compose ${sub} is not a command the check knows`;
    }
  }
  if (['inspect', 'stats'].includes(words[1])) return undefined;
  if (words[1] === 'image' && words[2] === 'ls') return imagesInCompose.has(words[3]) ? undefined : `no service uses image ${words[3]}`;
  if (words[1] === 'tag') return words.slice(2).every((r) => imagesInCompose.has(r.split(':')[0])) ? undefined : 'tags an image no service uses';
  return `docker ${words[1]} is not a command the check knows`;
}

// --- the build-context and Dockerfile model ---------------------------------------------------------------------

/** .dockerignore semantics: patterns relative to the context root, `**`, `*`, `?`, `!` re-includes, last match wins. */
function compileDockerignore(textIn) {
  const rules = textIn
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pat = path.posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, ''));
      const re = pat
        .split('/')
        .map((seg) => (seg === '**' ? '(?:.*)' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${re}(?:/.*)?$`) };
    });
  return (rel) => {
    let ignored = false;
    for (const r of rules) if (r.re.test(rel)) ignored = !r.negate;
    return ignored;
  };
}

/** The context's paths (posix, relative); node_modules and .git are recorded but not descended into. */
function buildContext(root, ignored) {
  const files = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (ignored(p)) continue;
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(path.join(root, p), { throwIfNoEntry: false })?.isDirectory());
      if (isDir && !['node_modules', '.git', '.tools'].includes(entry.name)) walk(p);
      else files.push(isDir ? `${p}/` : p);
    }
  };
  walk('');
  return files;
}

function replay(steps, contextFiles) {
  const stages = [];
  const out = { stages, problems: [] };
  let st;
  const norm = (p) => path.posix.resolve(st.workdir, p);
  for (const step of steps) {
    if (step.op === 'FROM') {
      const [ref, , name] = step.args.split(/\s+/).filter((a) => !a.startsWith('--'));
      const base = stages.find((s) => s.name === ref);
      st = newStage(name ?? String(stages.length), base);
      stages.push(st);
      continue;
    }
    if (!st) continue;
    switch (step.op) {
      case 'WORKDIR':
        st.workdir = norm(step.args);
        st.add(st.workdir + '/', 'workdir');
        break;
      case 'ENV':
        for (const m of step.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) st.env[m[1]] = m[2].replace(/^"|"$/g, '');
        break;
      case 'COPY': {
        const parts = step.args.split(/\s+/);
        const from = parts.find((a) => a.startsWith('--from='))?.slice(7);
        const paths = parts.filter((a) => !a.startsWith('--'));
        const dest = paths.pop();
        const destAbs = norm(dest);
        const multi = paths.length > 1 || dest.endsWith('/') || dest === '.' || dest === './';
        for (const src of paths) {
          if (from !== undefined) {
            const srcStage = stages.find((s) => s.name === from);
            if (!srcStage) {
              out.problems.push(`COPY --from=${from}: no such stage`);
              continue;
            }
            const srcAbs = path.posix.resolve(srcStage.workdir, src);
            const found = srcStage.under(srcAbs);
            if (!found.length) out.problems.push(`stage ${st.name}: COPY --from=${from} ${src}: the ${from} stage has no ${srcAbs}`);
            for (const [p, f] of found) {
              const rel = p === srcAbs ? path.posix.basename(p) : path.posix.relative(srcAbs, p);
              const target = p === srcAbs ? (multi ? path.posix.join(destAbs, rel) : destAbs) : path.posix.join(destAbs, rel);
              st.add(target + (p.endsWith('/') ? '/' : ''), f.origin);
            }
          } else {
            const srcRel = path.posix.normalize(src).replace(/^\.\/?/, '');
            const found = contextFiles.filter((p) => !srcRel || p === srcRel || p.startsWith(`${srcRel}/`));
            if (!found.length) out.problems.push(`stage ${st.name}: COPY ${src}: not in the build context (.dockerignore excludes it, or it does not exist)`);
            for (const p of found) {
              const rel = p === srcRel ? path.posix.basename(p) : srcRel ? path.posix.relative(srcRel, p) : p;
              st.add(path.posix.join(p === srcRel && !multi ? path.posix.dirname(destAbs) : destAbs, p === srcRel && !multi ? path.posix.basename(destAbs) : rel) + (p.endsWith('/') ? '/' : ''), 'context');
            }
          }
        }
        break;
      }
      case 'RUN':
        for (const cmd of step.args.split(/\s*&&\s*/)) {
          const why = runCommand(st, cmd.trim(), norm);
          if (why) out.problems.push(`stage ${st.name}: RUN ${cmd.trim()}: ${why}`);
        }
        break;
      default:
    }
  }
  return out;
}

function newStage(name, base) {
  const files = new Map(base ? base.files : [['/usr/local/bin/node', { origin: 'base' }], ['/bin/sh', { origin: 'base' }]]);
  const st = {
    name,
    files,
    workdir: base?.workdir ?? '/',
    env: { ...(base?.env ?? {}) },
    packages: new Set(base?.packages ?? []),
    add(p, origin) {
      files.set(p.replace(/\/+$/, '') || '/', { origin, dir: p.endsWith('/') });
    },
    has(p) {
      const key = p.replace(/\/+$/, '');
      if (files.has(key)) return true;
      for (const k of files.keys()) if (k.startsWith(`${key}/`)) return true;
      return false;
    },
    under(p) {
      const key = p.replace(/\/+$/, '');
      return [...files.entries()].filter(([k]) => k === key || k.startsWith(`${key}/`));
    },
    remove(p) {
      const key = p.replace(/\/+$/, '');
      for (const k of [...files.keys()]) if (k === key || k.startsWith(`${key}/`)) files.delete(k);
    },
  };
  return st;
}

/** Applies one shell command's effect on the stage's files; returns why it cannot, or undefined. */
function runCommand(st, cmd, norm) {
  const w = cmd.split(/\s+/);
  const app = (p) => path.posix.join(st.workdir, p);
  const deps = Object.keys(pkg.dependencies ?? {});
  const devDeps = Object.keys(pkg.devDependencies ?? {});
  if (/^apt-get (update|clean)/.test(cmd) || /^rm -rf \/var\/lib\/apt\/lists/.test(cmd)) return undefined;
  if (w[0] === 'apt-get' && w[1] === 'install') {
    for (const p of w.slice(2).filter((a) => !a.startsWith('-'))) {
      st.packages.add(p.split('=')[0]);
      st.add(`/usr/bin/${p.split('=')[0]}`, 'apt');
    }
    return undefined;
  }
  if (w[0] === 'groupadd') return undefined;
  if (w[0] === 'useradd') {
    const i = w.indexOf('--home-dir');
    if (i > 0) st.add(`${w[i + 1]}/`, 'useradd');
    return undefined;
  }
  if (w[0] === 'mkdir') {
    for (const d of w.slice(1).filter((a) => !a.startsWith('-'))) st.add(`${norm(d)}/`, 'mkdir');
    return undefined;
  }
  if (w[0] === 'npm' && w[1] === 'ci') {
    if (!st.has(app('package.json')) || !st.has(app('package-lock.json'))) return 'npm ci needs package.json and package-lock.json in the working directory';
    st.remove(app('node_modules'));
    for (const d of [...deps, ...devDeps]) st.add(app(`node_modules/${d}/package.json`), 'npm ci');
    st.add(app('node_modules/.bin/'), 'npm ci');
    return undefined;
  }
  if (w[0] === 'npm' && w[1] === 'run' && w[2] === 'prisma:generate') {
    for (const part of String(pkg.scripts?.['prisma:generate'] ?? '').split(/\s*&&\s*/)) {
      const why = prismaGenerate(st, part.split(/\s+/), app);
      if (why) return why;
    }
    return undefined;
  }
  if (w[0] === 'npx' && w.includes('prisma') && w.includes('generate')) return prismaGenerate(st, w.slice(w.indexOf('prisma')), app);
  if (w[0] === 'npm' && w[1] === 'run' && w[2] === 'build') {
    for (const part of String(pkg.scripts?.build ?? '').split(/\s*&&\s*/)) {
      // environment assignments before a step (`NAME=value cmd`) and a discarded output leave its files as they are
      const why = buildPart(st, part.replace(/\s*>\s*\/dev\/null$/, '').replace(/^(\s*[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+/, '').trim(), app);
      if (why) return why;
    }
    return undefined;
  }
  if (w[0] === 'npm' && w[1] === 'prune' && w.includes('--omit=dev')) {
    for (const d of devDeps.filter((d) => !deps.includes(d))) st.remove(app(`node_modules/${d}`));
    return undefined;
  }
  return 'the container check does not know what this command does (teach scripts/check-containers.mjs)';
}

/** `prisma generate [--schema file]`: writes the client where the schema's generator says. */
function prismaGenerate(st, w, app) {
  if (w[0] !== 'prisma' || w[1] !== 'generate') return `\`${w.join(' ')}\` is unknown to the container check`;
  if (!st.has(app('node_modules/prisma'))) return 'prisma is not installed';
  const schema = w.includes('--schema') ? w[w.indexOf('--schema') + 1] : 'prisma/schema.prisma';
  if (!st.has(app(schema))) return `${schema} is not in the stage`;
  const output = /^\s*output\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(path.join(ROOT, schema), 'utf8'))?.[1];
  st.add(output ? path.posix.join(path.posix.dirname(app(schema)), output, 'index.js') : app('node_modules/.prisma/client/index.js'), 'prisma generate');
  return undefined;
}

function buildPart(st, part, app) {
  // -p compiles the project; -b (build mode) compiles what changed since its last build, which in a fresh stage is all of it
  if (/^tsc -[pb] (\S+)$/.test(part)) {
    if (!st.has(app('node_modules/typescript'))) return 'typescript is not installed';
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, part.split(' ')[2]), 'utf8'));
    const include = tsconfig.include ?? [];
    for (const [p] of st.under(st.workdir)) {
      const rel = path.posix.relative(st.workdir, p);
      if (/\.ts$/.test(rel) && !/\.d\.ts$/.test(rel) && include.some((dir) => rel.startsWith(`${dir}/`))) {
        st.add(app(`dist/${rel.replace(/\.ts$/, '.js')}`), 'tsc');
      }
    }
    return undefined;
  }
  if (part === 'node dist/worker/bundle.js') {
    if (!st.has(app('dist/worker/bundle.js'))) return 'dist/worker/bundle.js is not in the stage (tsc first)';
    st.add(app('dist/workflow-bundle.js'), 'workflow bundle (npm run build)');
    st.add(app('dist/workflow-bundle.manifest.json'), 'workflow bundle manifest (npm run build)');
    return undefined;
  }
  if (part === 'oclif manifest') {
    if (!st.has(app('node_modules/oclif'))) return 'oclif is not installed';
    st.add(app('oclif.manifest.json'), 'oclif manifest');
    return undefined;
  }
  return `the build script step \`${part}\` is unknown to the container check`;
}

for (const line of ok) console.log(`ok   ${line}`);
for (const line of problems) console.log(`FAIL ${line}`);
process.exit(problems.length ? 1 : 0);
