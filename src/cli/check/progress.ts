/**
 * The live progress line on a terminal: URLs done of the total, the rate, the time left and the
 * failures so far, redrawn in place on standard error. Shown only when standard error is a
 * terminal; when results go to the same terminal, each row is written on a cleared line and the
 * progress line drawn again below it.
 */
import type { WriteStream } from 'node:tty';
import { plural } from '../../core/present/plural.ts';

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export class Progress {
  private done = 0;
  private failed = 0;
  private started = Date.now();
  private shown = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly stream: WriteStream,
    private total: number | undefined,
  ) {}

  /** Starts the clock (after the browser is up) and redraws a few times a second. */
  start(): void {
    this.started = Date.now();
    this.draw();
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  setTotal(total: number): void {
    this.total = total;
  }

  update(done: number, failed: number): void {
    this.done = done;
    this.failed = failed;
  }

  line(): string {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const parts = [`hopscope check: ${this.total !== undefined ? `${this.done}/${this.total}` : this.done} URLs`];
    parts.push(`${rate.toFixed(1)} URLs/s`);
    if (this.total !== undefined && rate > 0) parts.push(`ETA ${clock((this.total - this.done) / rate)}`);
    parts.push(this.failed ? plural(this.failed, 'failure') : 'no failures');
    const text = parts.join(' · ');
    const width = this.stream.columns || 80;
    return text.length >= width ? `${text.slice(0, width - 2)}…` : text;
  }

  private clearLine(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }

  draw(): void {
    this.stream.write(`\r\x1b[K${this.line()}`);
    this.shown = true;
  }

  /** Writes something else to the terminal without mixing it into the progress line. */
  around(write: () => void): void {
    this.clearLine();
    write();
    this.draw();
  }

  stop(): void {
    clearInterval(this.timer);
    this.clearLine();
  }
}
