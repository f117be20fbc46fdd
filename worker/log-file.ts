import fs from 'node:fs';

/**
 * An append-only log file rotated by size: `quantcoder.log` → `.1` → … → `.<keep>`.
 * Writes are synchronous so the last lines before a crash are on disk.
 */
export class RotatingLogFile {
  private fd: number | undefined;
  private size = 0;

  constructor(
    readonly file: string,
    readonly maxBytes = 10 * 1024 * 1024,
    readonly keep = 5,
  ) {}

  write(chunk: string): void {
    if (this.fd === undefined) this.open();
    const bytes = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    fs.writeSync(this.fd!, chunk);
    this.size += bytes;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    for (let i = this.keep - 1; i >= 1; i--) {
      const from = `${this.file}.${i}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${i + 1}`);
    }
    fs.renameSync(this.file, `${this.file}.1`);
    this.open();
  }
}
