/**
 * Instruction templates for CSIA (Concept-Shared Instruction Aligning, BabelRS stage 1). They
 * are data (`data/csia-instruction-templates.json`), so phrasing can change without code; pass
 * your own `InstructionTemplates` to the builder to override them.
 */
import templateData from '../data/csia-instruction-templates.json' with { type: 'json' };

export interface InstructionTemplates {
  counting: { questions: string[]; zero: string; one: string; many: string };
  presence: { questions: string[]; yes: string; no: string };
  grounding: { questionsOne: string[]; questionsMany: string[]; answer: string };
  referring: { questions: string[]; answer: string };
  caption: { questions: string[]; empty: string; list: string };
  /** How a box list is written: `<box>[[x1, y1, x2, y2], [..]]</box>` by default (InternVL). */
  box: { open: string; close: string; numberSeparator: string; boxSeparator: string };
  /** Irregular plurals; others get `s` (or `es` after s/x/ch/sh). */
  plurals: Record<string, string>;
}

export const DEFAULT_INSTRUCTION_TEMPLATES: Readonly<InstructionTemplates> = templateData as InstructionTemplates;

/** Replaces `{name}` placeholders; an unknown placeholder is an error (catches template typos). */
export function fillTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if (!(key in values)) throw new RangeError(`instruction template "${template}": unknown placeholder {${key}}`);
    return String(values[key]);
  });
}

export function pluralOf(concept: string, templates: Pick<InstructionTemplates, 'plurals'>): string {
  const irregular = templates.plurals[concept];
  if (irregular !== undefined) return irregular;
  return /(s|x|ch|sh)$/.test(concept) ? `${concept}es` : `${concept}s`;
}

/** `a` or `an` by the first letter (enough for the concept vocabulary). */
export function articleOf(word: string): 'a' | 'an' {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}
