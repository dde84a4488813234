export * from './tile-grid.js';
export { tileObjects, type TileSourceObject, type TiledObject, type TileObjectsOptions, type TileObjectsCounts } from './tile-objects.js';
export * from './split-dota.js';
export * from './merge-detections.js';
