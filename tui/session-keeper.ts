import { LessonSession, type RunEvent, type SessionOptions } from '../course/runner.js';
import type { Lesson } from '../course/types.js';

/**
 * The one holder of the open lesson's session: App opens and closes it, `startTui` closes it on the way out
 * (quit, Ctrl-C, a closed terminal), so whatever ends the TUI, the lesson's containers are cleaned up once.
 */
export class SessionKeeper {
  private session: LessonSession | undefined;

  constructor(readonly options: SessionOptions) {}

  get current(): LessonSession | undefined {
    return this.session;
  }

  /** A fresh session for `lesson`; its events go to `onEvent`. */
  open(lesson: Lesson, onEvent: (e: RunEvent) => void): LessonSession {
    this.session = new LessonSession(lesson, { ...this.options, onEvent });
    return this.session;
  }

  /**
   * Cleans the session up and forgets it; resolves with what could not be cleaned up. A step still running
   * (interrupted by Ctrl-C) may have a command in flight: it gets up to `waitMs` to finish first.
   */
  async close(waitMs = 0): Promise<string[]> {
    const s = this.session;
    if (!s) return [];
    const deadline = Date.now() + waitMs;
    while (s.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    try {
      return await s.cleanup();
    } finally {
      if (this.session === s) this.session = undefined;
    }
  }
}
