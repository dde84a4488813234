/**
 * The shared concept vocabulary: the language-pivot idea in miniature. SOI-Det keeps SAR `ship`
 * and DOTA `ship` as different classes (26 in all); CSIA instead names them with ONE word, so
 * the demo's single classifier head predicts concepts, not per-modality classes.
 */
import { SOI_DET_CLASSES, type Modality, type UnifiedClass } from '@babelrs/datasets';

export interface ConceptVocabulary {
  /** Concept names, in order of first appearance in the unified class list. */
  concepts: string[];
  /** Unified class id → concept index. */
  conceptOfClass: Int32Array;
  /** Per modality: its classes in unified order (detections are expressed in these). */
  modalityClasses: Record<Modality, UnifiedClass[]>;
}

export function buildConceptVocabulary(classes: readonly UnifiedClass[] = SOI_DET_CLASSES): ConceptVocabulary {
  const concepts: string[] = [];
  const conceptOfClass = new Int32Array(classes.length);
  const modalityClasses: Record<Modality, UnifiedClass[]> = { sar: [], rgb: [], ir: [] };
  classes.forEach((c, i) => {
    // Labels index this table directly, so ids must be positions.
    if (c.id !== i) throw new Error(`buildConceptVocabulary: class "${c.key}" has id ${c.id}, expected its position ${i}`);
    let k = concepts.indexOf(c.concept);
    if (k < 0) k = concepts.push(c.concept) - 1;
    conceptOfClass[c.id] = k;
    modalityClasses[c.modality].push(c);
  });
  return { concepts, conceptOfClass, modalityClasses };
}
