/**
 * SOI-Det class spaces. The lists are data (`data/soi-det-classes.json`), not code: each
 * modality has its own classes, and the unified 26-class space concatenates SAR, RGB and IR,
 * so SAR `ship` (unified 0) and DOTA `ship` (unified 7) stay different classes.
 */
import classData from './data/soi-det-classes.json' with { type: 'json' };
import type { BoxType, Modality } from './sample.js';

export interface ModalityClass {
  /** Class name as the modality's dataset spells it (`small-vehicle`, `freight_car`). */
  name: string;
  /** Modality-independent concept name used in CSIA instructions (`car`, `storage tank`). */
  concept: string;
  /**
   * Other spellings of this class in released label files, read as this class: the SOI-Det
   * release writes DOTA `Ship` / `Harbor` / `Bridge` and DroneVehicle `CAR`, `FERIGHT_CAR`, ….
   */
  aliases?: string[];
}

export interface UnifiedClass extends ModalityClass {
  /** Index in the unified space. */
  id: number;
  modality: Modality;
  /** Unique key `<modality>:<name>`, e.g. `sar:ship`. */
  key: string;
}

export interface ModalityClassSpace {
  dataset: string;
  boxType: BoxType;
  classes: ModalityClass[];
}

export const SOI_DET_CLASS_SPACES: Readonly<Record<Modality, ModalityClassSpace>> =
  classData.modalities as Record<Modality, ModalityClassSpace>;

/** The unified 26-class list: SAR (6), then RGB / DOTA-v1.0 (15), then IR / DroneVehicle (5). */
export const SOI_DET_CLASSES: readonly UnifiedClass[] = buildUnified(SOI_DET_CLASS_SPACES);

export function buildUnified(spaces: Readonly<Record<Modality, ModalityClassSpace>>): UnifiedClass[] {
  const out: UnifiedClass[] = [];
  for (const modality of ['sar', 'rgb', 'ir'] as const) {
    for (const c of spaces[modality].classes) {
      const aliases = c.aliases?.length ? { aliases: [...c.aliases] } : {};
      out.push({ id: out.length, modality, name: c.name, concept: c.concept, key: `${modality}:${c.name}`, ...aliases });
    }
  }
  return out;
}

/**
 * Unified index of a modality's class name (or one of its `aliases`: DOTA `Ship` is `ship`), or
 * −1 when the modality has no such class (SAR has no `Ship`: SAR ship and DOTA Ship differ).
 */
export function unifiedClassId(modality: Modality, name: string, classes: readonly UnifiedClass[] = SOI_DET_CLASSES): number {
  const c = classes.find((k) => k.modality === modality && k.name === name) ?? classes.find((k) => k.modality === modality && k.aliases?.includes(name));
  return c ? c.id : -1;
}

/** The classes of one modality, in their unified order. */
export function classesOfModality(modality: Modality, classes: readonly UnifiedClass[] = SOI_DET_CLASSES): UnifiedClass[] {
  return classes.filter((c) => c.modality === modality);
}
