import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { zipFiles } from '../../cli/archive';

describe('a library export archive', () => {
  const files = [
    { name: 'index.json', content: '{"count":2}\n' },
    { name: 'momentum/time-series/main.py', content: 'from AlgorithmImports import *\n# é ü\n' },
    { name: 'empty.txt', content: '' },
  ];

  it('unzips back byte for byte, in the order written', () => {
    const entries = Object.entries(unzipSync(zipFiles(files)));
    expect(entries.map(([name, content]) => [name, Buffer.from(content).toString('utf8')])).toEqual(files.map((f) => [f.name, f.content]));
  });

  it('is accepted by the system unzip (Info-ZIP)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qc-zip-'));
    try {
      const file = path.join(dir, 'x.zip');
      fs.writeFileSync(file, zipFiles(files));
      expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/);
      expect(execFileSync('unzip', ['-p', file, 'momentum/time-series/main.py'], { encoding: 'utf8' })).toBe(files[1]!.content);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses names that would escape the extraction folder, and names given twice', () => {
    expect(() => zipFiles([{ name: '../evil.py', content: 'x' }])).toThrow(/cannot be stored/);
    expect(() => zipFiles([{ name: '/etc/passwd', content: 'x' }])).toThrow(/cannot be stored/);
    expect(() => zipFiles([{ name: 'a.py', content: 'x' }, { name: 'a.py', content: 'y' }])).toThrow(/twice/);
  });
});
