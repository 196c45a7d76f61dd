/**
 * The live progress line on a terminal: URLs done of the total, the rate, the time left and the
 * failures so far, redrawn in place on standard error. Shown only when standard error is a
 * terminal; when results go to the same terminal, each row is written on a cleared line and the
 * progress line drawn again below it. Drawing is log-update's.
 */
import type { WriteStream } from 'node:tty';
import { createLogUpdate } from 'log-update';
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
  private timer: ReturnType<typeof setInterval> | undefined;
  /** log-update: redraws the line in place, fitted to the terminal's width; hides the cursor meanwhile. */
  private readonly log: ReturnType<typeof createLogUpdate>;

  constructor(
    stream: WriteStream,
    private total: number | undefined,
  ) {
    // A pseudo-terminal may report 0 rows or columns (`script`, `docker run -t`): log-update
    // would then draw nothing, so such a terminal counts as 80 × 24.
    const sized = {
      isTTY: true,
      get columns() {
        return stream.columns || 80;
      },
      get rows() {
        return stream.rows || 24;
      },
      write: (text: string) => stream.write(text),
    };
    this.log = createLogUpdate(sized as unknown as WriteStream);
  }

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
    return parts.join(' · ');
  }

  draw(): void {
    this.log(this.line());
  }

  /** Writes something else to the terminal without mixing it into the progress line. */
  around(write: () => void): void {
    this.log.clear();
    write();
    this.draw();
  }

  stop(): void {
    clearInterval(this.timer);
    this.log.clear();
    this.log.done();
  }
}
