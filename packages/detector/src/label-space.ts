// Each head predicts its own modality's classes with local ids 0..K-1; datasets give labels in
// the unified 26-class SOI-Det space. This maps between the two, per modality.
import { SOI_DET_CLASSES, classesOfModality, type Modality, type UnifiedClass } from '@babelrs/datasets';
import { configuredModalities, type DetectorConfig } from './config.js';

export interface ModalityLabelSpace {
  modality: Modality;
  /** Head-local class names (index = local id). */
  names: string[];
  /** Unified id of each local id. */
  unified: number[];
}

/** Label spaces of every configured modality (class list from the config or the full SOI-Det list). */
export function labelSpaces(config: Pick<DetectorConfig, 'heads' | 'classes'>, classes: readonly UnifiedClass[] = SOI_DET_CLASSES): Record<Modality, ModalityLabelSpace> {
  const out = {} as Record<Modality, ModalityLabelSpace>;
  for (const m of configuredModalities(config)) {
    const all = classesOfModality(m, classes);
    const names = config.classes?.[m] ?? all.map((c) => c.name);
    const unified = names.map((n) => {
      const c = all.find((k) => k.name === n);
      if (!c) throw new Error(`label space: "${n}" is not a ${m} class`);
      return c.id;
    });
    out[m] = { modality: m, names: [...names], unified };
  }
  return out;
}

/**
 * Unified → local ids of one sample's labels. A label outside the head's class list is an error
 * naming the sample (a silently dropped object would make training and evaluation disagree).
 */
export function toLocalLabels(space: ModalityLabelSpace, labels: Int32Array, sampleId: string): Int32Array {
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const k = space.unified.indexOf(labels[i]);
    if (k < 0) {
      const name = SOI_DET_CLASSES[labels[i]]?.key ?? `unified id ${labels[i]}`;
      throw new Error(`sample ${sampleId}: object ${i} has class ${name}, which the ${space.modality} head does not predict (its classes: ${space.names.join(', ')})`);
    }
    out[i] = k;
  }
  return out;
}
