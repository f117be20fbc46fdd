#!/usr/bin/env bash
# Static checks of the Dockerfile and docker-compose.yml, without a Docker engine:
#   1. `docker-compose config -q` validates the Compose file against its schema (Debian's
#      docker-compose 1.29 is installed when missing and we are root; skipped when unavailable);
#   2. QuantCoder's own rules for both files, on the parsed YAML and the Dockerfile's instructions.
# Exit status 0 when every check passes; each failure is printed as `FAIL <file>: <why>`.
set -euo pipefail
cd "$(dirname "$0")/.."

compose_file=${1:-docker-compose.yml}
dockerfile=${2:-Dockerfile}
status=0

if ! command -v docker-compose >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null 2>&1 || true
  fi
fi
if command -v docker-compose >/dev/null 2>&1; then
  if docker-compose -f "$compose_file" --profile ollama --profile cli config -q; then
    echo "ok   $compose_file: valid Compose file (docker-compose $(docker-compose version --short 2>/dev/null || echo '?'))"
  else
    echo "FAIL $compose_file: docker-compose config rejected it"
    status=1
  fi
elif docker compose version >/dev/null 2>&1; then
  if docker compose -f "$compose_file" --profile ollama --profile cli config -q; then
    echo "ok   $compose_file: valid Compose file (docker compose)"
  else
    echo "FAIL $compose_file: docker compose config rejected it"
    status=1
  fi
else
  echo "skip $compose_file: no docker-compose to validate the schema; checking QuantCoder's rules only"
fi

node - "$compose_file" "$dockerfile" <<'NODE' || status=1
const fs = require('node:fs');
const YAML = require('yaml');
const [composeFile, dockerfile] = process.argv.slice(2);
const problems = [];
const ok = [];
const check = (file, cond, good, bad) => (cond ? ok.push(`${file}: ${good}`) : problems.push(`${file}: ${bad}`));

// --- docker-compose.yml --------------------------------------------------------------------------
const doc = YAML.parseDocument(fs.readFileSync(composeFile, 'utf8'));
if (doc.errors.length) problems.push(`${composeFile}: not valid YAML: ${doc.errors[0].message}`);
const compose = doc.toJS({ maxAliasCount: 100 }) ?? {};
const services = compose.services ?? {};
for (const name of ['postgresql', 'temporal', 'temporal-ui', 'worker']) {
  check(composeFile, services[name], `service ${name} present`, `service "${name}" is missing`);
}
const temporal = services.temporal ?? {};
const temporalEnv = temporal.environment ?? {};
check(composeFile, /postgres/i.test(JSON.stringify(temporalEnv)) && JSON.stringify(temporal.depends_on ?? {}).includes('postgresql'),
  'temporal is backed by PostgreSQL', 'temporal must use the postgresql service (DB=postgres12, depends_on postgresql)');
const worker = services.worker ?? {};
check(composeFile, !('container_name' in worker), 'worker has no container_name', 'worker must not set container_name: `--scale worker=N` needs generated names');
const hostPorts = (worker.ports ?? []).filter((p) => {
  const spec = typeof p === 'object' ? (p.published !== undefined ? String(p.published) : '') : String(p);
  // "9464" (container port only) is fine; "9464:9464" or "127.0.0.1:9464:9464" pins a host port
  return typeof p === 'object' ? spec !== '' : spec.split(':').length > 1;
});
check(composeFile, hostPorts.length === 0, 'worker publishes no fixed host port', `worker publishes fixed host port(s) ${JSON.stringify(hostPorts)}: scaled workers would collide`);
check(composeFile, worker.build !== undefined || worker.image !== undefined, 'worker has an image', 'worker needs build: or image:');
const env = worker.environment ?? {};
const envNames = Array.isArray(env) ? env.map((e) => String(e).split('=')[0]) : Object.keys(env);
check(composeFile, envNames.includes('TEMPORAL_ADDRESS'), 'worker is pointed at the Temporal service', 'worker must set TEMPORAL_ADDRESS');
// Secrets come from the operator's environment, never written into the file.
const literalSecrets = Object.entries(Array.isArray(env) ? Object.fromEntries(env.map((e) => String(e).split(/=(.*)/s))) : env)
  .filter(([k, v]) => /API_KEY|API_TOKEN/.test(k) && v && !/^\$\{[A-Z_]+(:-)?\}$/.test(String(v)));
check(composeFile, literalSecrets.length === 0, 'no literal secrets', `secret values written into the file: ${literalSecrets.map(([k]) => k).join(', ')}`);
const declared = Object.keys(compose.volumes ?? {});
const usedNamed = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0] : v.source)).filter((src) => src && !/^[./~]/.test(src)));
check(composeFile, declared.length > 0, 'volumes declared', 'no top-level volumes declared');
const undeclared = usedNamed.filter((v) => !declared.includes(v));
check(composeFile, undeclared.length === 0, 'every named volume is declared', `named volume(s) used but not declared: ${undeclared.join(', ')}`);
check(composeFile, (worker.volumes ?? []).some((v) => String(typeof v === 'string' ? v : v.target).includes('/home/quantcoder/.quantcoder')),
  'worker keeps QUANTCODER_HOME on a volume', 'worker must mount a volume at /home/quantcoder/.quantcoder (QUANTCODER_HOME)');
check(composeFile, services['temporal-ui'] && JSON.stringify(services['temporal-ui'].environment ?? {}).includes('temporal:7233'), 'Web UI points at temporal', 'temporal-ui must set TEMPORAL_ADDRESS=temporal:7233');
const ollama = services.ollama;
check(composeFile, ollama && Array.isArray(ollama.profiles) && ollama.profiles.length > 0, 'ollama is optional (under a profile)', 'an ollama service under a profile is required (profiles: ["ollama"])');

// --- Dockerfile ----------------------------------------------------------------------------------
const text = fs.readFileSync(dockerfile, 'utf8').replace(/\\\r?\n/g, ' ');
const instructions = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => {
  const [op, ...rest] = l.split(/\s+/);
  return { op: op.toUpperCase(), args: rest.join(' ') };
});
const known = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER']);
const unknown = instructions.filter((i) => !known.has(i.op));
check(dockerfile, unknown.length === 0, 'every instruction is a Dockerfile instruction', `unknown instruction(s): ${unknown.map((i) => i.op).join(', ')}`);
const froms = instructions.filter((i) => i.op === 'FROM');
check(dockerfile, froms.length >= 2, `multi-stage (${froms.length} stages)`, `must be multi-stage (found ${froms.length} FROM)`);
const stages = froms.map((f) => (f.args.match(/\sAS\s+(\S+)/i) ?? [])[1]).filter(Boolean);
const copyFrom = instructions.filter((i) => i.op === 'COPY' && /--from=/.test(i.args)).map((i) => i.args.match(/--from=(\S+)/)[1]);
const badFrom = copyFrom.filter((s) => !stages.includes(s) && !/^\d+$/.test(s) && !s.includes('/'));
check(dockerfile, badFrom.length === 0, 'COPY --from names existing stages', `COPY --from unknown stage(s): ${badFrom.join(', ')}`);
const lastFrom = instructions.lastIndexOf(froms[froms.length - 1]);
const finalStage = instructions.slice(lastFrom);
const users = finalStage.filter((i) => i.op === 'USER');
const lastUser = users[users.length - 1];
const runAs = lastUser ? lastUser.args.split(':')[0] : 'root';
check(dockerfile, runAs !== 'root' && runAs !== '0', `runs as non-root user "${runAs}"`, 'the final stage must switch to a non-root USER');
const cmdIndex = finalStage.findIndex((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT');
check(dockerfile, lastUser !== undefined && finalStage.indexOf(lastUser) < cmdIndex, 'USER comes before CMD/ENTRYPOINT', 'USER must come before CMD/ENTRYPOINT in the final stage');
const health = finalStage.find((i) => i.op === 'HEALTHCHECK');
check(dockerfile, health && /\bhealth\b/.test(health.args) && !/^NONE$/i.test(health.args.trim()), 'HEALTHCHECK runs `quantcoder health`', 'the final stage needs a HEALTHCHECK that runs `quantcoder health`');
const remoteAdd = instructions.filter((i) => i.op === 'ADD' && /(^|\s)(https?|git|ftp):\/\//i.test(i.args));
check(dockerfile, remoteAdd.length === 0, 'no ADD of remote URLs', `ADD of a remote URL (use RUN with a checksum instead): ${remoteAdd.map((i) => i.args).join('; ')}`);
check(dockerfile, !/\b(API_KEY|API_TOKEN)\s*=/.test(instructions.filter((i) => i.op === 'ENV' || i.op === 'ARG').map((i) => i.args).join(' ')),
  'no credentials baked into ENV/ARG', 'credentials must not be set with ENV or ARG');

for (const line of ok) console.log(`ok   ${line}`);
for (const line of problems) console.log(`FAIL ${line}`);
process.exit(problems.length ? 1 : 0);
NODE

if [ "$status" -eq 0 ]; then echo "containers: all static checks passed"; else echo "containers: static checks FAILED"; fi
exit "$status"
