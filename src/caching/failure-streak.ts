import { Logger } from '@nestjs/common';

/** Logs a repeating background failure once when it starts and once when it ends, not on every retry. */
export class FailureStreak {
  private failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
  ) {}

  failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(`${this.message}: ${error instanceof Error ? error.message : String(error)}`);
  }

  succeeded(recovery: string): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log(recovery);
  }
}
