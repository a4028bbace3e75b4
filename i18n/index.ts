import { en, type Messages } from './en.js';
import { zhCN } from './zh-CN.js';
import type { Lang } from './lang.js';

export type { Messages } from './en.js';
export * from './lang.js';

const CATALOGUE: Record<Lang, Messages> = { en, zh: zhCN };

export const messages = (lang: Lang): Messages => CATALOGUE[lang];

/**
 * The language the TUI shows now. One app, one learner, one language at a time: the App sets it from its
 * state before its children draw, and the key registry's texts (getters) read it.
 */
let current: Lang = 'en';
export function setLang(lang: Lang): void { current = lang; }
export const currentLang = (): Lang => current;
/** The messages of the language shown now. */
export const t = (): Messages => CATALOGUE[current];
