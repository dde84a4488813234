/**
 * The concepts the synthetic set draws, shared across modalities (the point of CSIA: a ship is
 * a "ship" in SAR, RGB and IR alike), their sizes and where they may stand, and how each maps to
 * a modality's own class name through the `concept` field of `soi-det-classes.json`
 * (aircraft → SAR `aircraft`, DOTA `plane`; car → SAR `car`, DOTA `small-vehicle`, IR `car`).
 */
import { SOI_DET_CLASSES, type UnifiedClass } from '../classes.js';
import type { Modality } from '../sample.js';

export type SyntheticConcept = 'ship' | 'aircraft' | 'car' | 'storage tank' | 'bridge' | 'harbor' | 'large vehicle' | 'truck' | 'bus' | 'van' | 'freight car';

/** Where an object may be placed. */
export type Placement = 'water' | 'land' | 'coast' | 'crossing' | 'road';

export interface ConceptSpec {
  /** Long side in pixels at a 128-px image (scaled with the image size). */
  length: [number, number];
  /** Long side / short side. */
  aspect: [number, number];
  placement: Placement;
  /** Relative frequency among the concepts a scene allows. */
  weight: number;
}

export const CONCEPT_SPECS: Readonly<Record<SyntheticConcept, ConceptSpec>> = {
  ship: { length: [14, 30], aspect: [3.2, 5], placement: 'water', weight: 3 },
  aircraft: { length: [14, 24], aspect: [1, 1.15], placement: 'land', weight: 2 },
  car: { length: [5.5, 8], aspect: [1.9, 2.3], placement: 'land', weight: 4 },
  'storage tank': { length: [8, 18], aspect: [1, 1], placement: 'land', weight: 2 },
  bridge: { length: [0, 0], aspect: [4, 8], placement: 'crossing', weight: 1 },
  harbor: { length: [16, 30], aspect: [2.8, 4.5], placement: 'coast', weight: 1 },
  'large vehicle': { length: [10, 15], aspect: [2.6, 3.2], placement: 'land', weight: 2 },
  truck: { length: [11, 14], aspect: [2.5, 2.9], placement: 'road', weight: 2 },
  bus: { length: [13, 16], aspect: [2.8, 3.3], placement: 'road', weight: 1 },
  van: { length: [8, 9.5], aspect: [2.1, 2.4], placement: 'road', weight: 2 },
  'freight car': { length: [15, 19], aspect: [3.2, 3.8], placement: 'road', weight: 1 },
};

/** Concepts each modality's generator draws (every one maps to a class of that modality). */
export const MODALITY_CONCEPTS: Readonly<Record<Modality, readonly SyntheticConcept[]>> = {
  sar: ['ship', 'aircraft', 'car', 'storage tank', 'bridge', 'harbor'],
  rgb: ['aircraft', 'ship', 'storage tank', 'harbor', 'bridge', 'car', 'large vehicle'],
  ir: ['car', 'truck', 'bus', 'van', 'freight car'],
};

/** The modality's class for a concept, found through the `concept` field of the class list. */
export function classForConcept(modality: Modality, concept: SyntheticConcept, classes: readonly UnifiedClass[] = SOI_DET_CLASSES): UnifiedClass {
  const c = classes.find((k) => k.modality === modality && k.concept === concept);
  if (!c) throw new RangeError(`synthetic set: modality ${modality} has no class with concept "${concept}"`);
  return c;
}

/** Placement of a concept in a modality: IR scenes are streets, so every IR vehicle stands on a road. */
export function placementOf(modality: Modality, concept: SyntheticConcept): Placement {
  return modality === 'ir' ? 'road' : CONCEPT_SPECS[concept].placement;
}
