import type { Step } from './types.js';

/**
 * A step's stable id: the slug of its English title (`## Step: Start a container with its own hostname` →
 * `start-a-container-with-its-own-hostname`). Interview proofs name steps by it (`01-uts#start-a-container-…`),
 * so a step inserted before another does not shift what they point at, and nothing has to be added to a
 * lesson's headings. Titles are already the identity of a step (progress is recorded by them); renaming one
 * breaks the ids that name it, and `boxlab interview lint` says which.
 */
export function stepSlug(title: string): string {
  return title.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The id of a step, from its English title also when the lesson is shown translated. */
export function stepId(step: Pick<Step, 'title' | 'progressKey'>): string {
  return stepSlug(step.progressKey ?? step.title);
}
