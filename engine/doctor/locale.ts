import type { DoctorCheck } from './types.js';
import { langFromEnv, messages } from '../../i18n/index.js';

/** The locale that decides the terminal's character set: LC_ALL, then LC_CTYPE, then LANG (POSIX order). */
export function effectiveLocale(env: NodeJS.ProcessEnv = process.env): string {
  return env.LC_ALL || env.LC_CTYPE || env.LANG || 'POSIX';
}

/**
 * Whether the terminal can show the Chinese of the course: only when its locale's character set is UTF-8.
 * A warning, not a failure: the English course works in any locale.
 */
export function localeCheck(env: NodeJS.ProcessEnv = process.env): DoctorCheck {
  const locale = effectiveLocale(env);
  const utf8 = /utf-?8/i.test(locale);
  const m = messages(langFromEnv(env));
  return {
    id: 'locale', title: m.drLocaleTitle, essential: false,
    status: utf8 ? 'ok' : 'warn',
    detail: utf8 ? m.drLocaleOk(locale) : m.localeNoUtf8(locale),
    ...(!utf8 && { fix: m.localeFix }),
  };
}
