import { UserError } from '../engine/sys/errors.js';
import type { Lesson } from './types.js';
import { t } from '../i18n/index.js';

/** `01-uts`, `01` or `uts` names lesson 01-uts; an exact id wins over a number or a name. */
export function findLesson(lessons: Lesson[], want: string): Lesson | undefined {
  return lessons.find((l) => l.meta.id === want)
    ?? lessons.find((l) => l.meta.id.startsWith(`${want}-`) || l.meta.id.split('-').slice(1).join('-') === want);
}

/** The lesson `want` names, or a one-line error saying how to list them. */
export function lessonNamed(lessons: Lesson[], want: string): Lesson {
  const l = findLesson(lessons, want);
  if (!l) throw new UserError(t().noLessonNamed(want));
  return l;
}
