/** Helpers for ink-testing-library frames. */

/** A frame without its colours. */
export const plain = (s: string | undefined): string => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');

/** Waits until the (plain) frame matches `re` and returns it; throws with the last frame after `ms`. */
export async function until(frame: () => string | undefined, re: RegExp, ms = 3000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const f = plain(frame());
    if (re.test(f)) return f;
    if (Date.now() > end) throw new Error(`screen never matched ${re}:\n${f}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
