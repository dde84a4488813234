export { CONCEPT_SPECS, MODALITY_CONCEPTS, classForConcept, type ConceptSpec, type Placement, type SyntheticConcept } from './concepts.js';
export { planScene, type ScenePlan, type SceneObject, type Terrain, type TerrainKind } from './scene.js';
export { renderRgb } from './render-rgb.js';
export { renderSar } from './render-sar.js';
export { renderIr } from './render-ir.js';
export * from './mini-soi.js';
export * from './preview.js';
