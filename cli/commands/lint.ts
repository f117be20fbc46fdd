import fs from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base';
import { UserError } from '../errors';
import { table } from '../format';
import { lintPython } from '../../python/lint';

export default class Lint extends BaseCommand<typeof Lint> {
  static override summary = 'Check a LEAN Python algorithm for syntax errors and LEAN API mistakes, and fix them.';
  static override description =
    "Parses the file with CPython's own parser (never running it) and applies QuantCoder's LEAN linter: PascalCase API, " +
    'enum casing, RollingWindow misuse, history() in on_data, shadowed indicator methods, reserved attribute names, forex or ' +
    'crypto added as equity, missing warm-up, and more. With --fix the safe fixes are written back (each kept only if the ' +
    'code still parses). Exit code 0 when no error remains, 1 otherwise.';
  static override examples = ['<%= config.bin %> lint main.py', '<%= config.bin %> lint main.py --fix', '<%= config.bin %> lint main.py --json | jq ".issues[] | .rule"'];
  static override args = { file: Args.string({ required: true, description: 'The algorithm file.' }) };
  static override flags = { fix: Flags.boolean({ summary: 'Write the fixed code back to the file.', default: false }) };

  async run(): Promise<{ file: string; issues: Array<{ rule: string; line: number; message: string; severity: string; fixed: boolean }>; fixed: boolean; code: string }> {
    const file = path.resolve(this.args.file);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UserError(`No file at ${file}`);
    const source = fs.readFileSync(file, 'utf8');
    const report = await lintPython(source, { fix: this.flags.fix });
    if (this.flags.fix && report.fixed) fs.writeFileSync(file, report.code);
    const issues = report.issues.map((i) => ({ rule: i.rule, line: i.line, message: i.message, severity: i.severity, fixed: i.fixed }));
    if (!this.jsonEnabled()) {
      if (!issues.length) this.log(`${this.args.file}: no issues`);
      else {
        this.log(table(issues.map((i) => ({ ...i, fixed: i.fixed ? 'fixed' : '' })), [
          { key: 'line', header: 'Line' },
          { key: 'severity', header: 'Severity' },
          { key: 'rule', header: 'Rule' },
          { key: 'message', header: 'Message', max: 90 },
          { key: 'fixed', header: '' },
        ]));
        const fixable = report.issues.filter((i) => i.fixable && !i.fixed).length;
        if (!this.flags.fix && fixable) this.log(`\n${fixable} issue(s) can be fixed with --fix.`);
        if (this.flags.fix && report.fixed) this.log(`\nWrote the fixed code to ${this.args.file}.`);
      }
    }
    if (report.errors > 0) process.exitCode = 1;
    return { file, issues, fixed: report.fixed, code: report.code };
  }
}
