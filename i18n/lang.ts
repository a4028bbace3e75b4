/**
 * Which language the learner reads: `--lang` (the CLI puts it in BOXLAB_LANG), then BOXLAB_LANG, then the
 * locale in POSIX order (LC_ALL, LC_MESSAGES, LANG): zh_CN.UTF-8 → zh. Anything else is English.
 */
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** `zh`, `zh-CN`, `zh_CN.UTF-8`, `zh_TW` → zh; `en`, `en_US.UTF-8`, `C`, `POSIX` → en; anything else: undefined. */
export function parseLang(value: string | undefined): Lang | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return undefined;
  if (/^zh([-_.@]|$)/.test(v)) return 'zh';
  if (/^en([-_.@]|$)/.test(v) || v === 'c' || v === 'posix' || /^c\./.test(v)) return 'en';
  return undefined;
}

export function langFromEnv(env: NodeJS.ProcessEnv = process.env): Lang {
  const chosen = parseLang(env.BOXLAB_LANG);
  if (chosen) return chosen;
  // the first locale variable that is set decides, as it does for every POSIX program
  for (const k of ['LC_ALL', 'LC_MESSAGES', 'LANG'] as const) {
    const v = env[k];
    if (v) return parseLang(v) ?? 'en';
  }
  return 'en';
}

/** The other language (the TUI's one-key switch). */
export const otherLang = (l: Lang): Lang => (l === 'zh' ? 'en' : 'zh');
