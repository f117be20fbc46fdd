import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli';

function check(compose: string, dockerfile: string): { code: number | null; output: string } {
  const res = spawnSync('bash', [path.join(ROOT, 'scripts', 'check-containers.sh'), compose, dockerfile], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, output: `${res.stdout}${res.stderr}` };
}

describe('scripts/check-containers.sh', () => {
  it('passes the project\'s Dockerfile and docker-compose.yml', () => {
    const res = check(path.join(ROOT, 'docker-compose.yml'), path.join(ROOT, 'Dockerfile'));
    expect(res.output).toMatch(/containers: all static checks passed/);
    expect(res.output).not.toMatch(/^FAIL/m);
    expect(res.code).toBe(0);
  });

  it('fails files that break scaling, run as root, skip the health check or fetch remote files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-containers-'));
    try {
      const compose = fs
        .readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')
        .replace(/^  worker:\n/m, '  worker:\n    container_name: quantcoder-worker\n    ports:\n      - "9464:9464"\n')
        .replace(/^  ollama:\n    image: ollama\/ollama:latest\n    profiles: \["ollama"\]\n/m, '  ollama:\n    image: ollama/ollama:latest\n');
      const dockerfile = fs
        .readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
        .replace(/^USER .*$/m, '')
        .replace(/^HEALTHCHECK .*$/m, '')
        .replace(/^WORKDIR \/app$/m, 'WORKDIR /app\nADD https://example.org/tool.tar.gz /tmp/');
      fs.writeFileSync(path.join(dir, 'docker-compose.yml'), compose);
      fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
      const res = check(path.join(dir, 'docker-compose.yml'), path.join(dir, 'Dockerfile'));
      expect(res.code).toBe(1);
      for (const why of [
        /FAIL .*docker-compose\.yml: worker must not set container_name/,
        /FAIL .*docker-compose\.yml: worker publishes fixed host port/,
        /FAIL .*docker-compose\.yml: an ollama service under a profile is required/,
        /FAIL .*Dockerfile: the final stage must switch to a non-root USER/,
        /FAIL .*Dockerfile: the final stage needs a HEALTHCHECK/,
        /FAIL .*Dockerfile: ADD of a remote URL/,
      ]) {
        expect(res.output).toMatch(why);
      }
      expect(res.output).toMatch(/containers: static checks FAILED/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
