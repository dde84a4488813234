export { parseXml, xmlChild, xmlChildren, type XmlElement } from './xml.js';
export * from './dota-txt.js';
export * from './write-dota-txt.js';
export * from './coco-json.js';
export * from './write-coco-json.js';
export * from './voc-xml.js';
export * from './voc-boxes.js';
export * from './soi-det-layout.js';
export { writeFileAtomic, writeFileAtomicAsync } from './atomic-write.js';
