// @babelrs/formats: the one tfjs-free reader and writer per annotation file format (DOTA txt,
// DOTA Task1 results, COCO instances + results JSON, Pascal-VOC XML), the one strict number
// grammar, line splitting (LF / CRLF / CR), bounded-memory streaming, zod validation of COCO,
// and the one atomic file write. Every reader throws only `FormatError` for bad input, naming
// the file and the line or field.
export { FormatError, IssueSink, formatLocation, fsError, type FormatErrorLocation, type ReadOptions, type SkippedRecord } from './errors.js';
export { parseDecimal, parseInteger, isDecimal } from './number-grammar.js';
export { forEachLine, forEachLineOfText, readTextFile, MAX_LINE_CHARS, type LineCallback } from './text-lines.js';
export { writeFileAtomic, writeFileAtomicAsync, ensureDir } from './atomic-write.js';
export {
  parseDotaTxt,
  readDotaTxt,
  scanDotaTxt,
  type DotaHeader,
  type DotaLabelFile,
  type DotaObject,
  type DotaObjectVisitor,
  type DotaReadOptions,
} from './dota/dota-txt.js';
export { scanTask1Txt, task1ClassName, type Task1Visitor } from './dota/task1-txt.js';
export {
  formatDotaTxt,
  formatTask1Txt,
  writeDotaTxt,
  writeTask1Txt,
  type DotaWriteObject,
  type DotaWriteOptions,
  type Task1Detection,
} from './dota/write-dota-txt.js';
export {
  parseCocoJson,
  readCocoJson,
  type CocoAnnotation,
  type CocoCategory,
  type CocoDataset,
  type CocoImage,
  type CocoReadOptions,
  type CocoVariant,
} from './coco/coco-json.js';
export { readCocoJsonColumns, toColumns as cocoColumnsOf, type CocoAnnotationColumns, type CocoColumns } from './coco/coco-columns.js';
export { readCocoResults, scanCocoResultFields, scanCocoResults, type CocoResult, type CocoResultFieldsVisitor, type CocoResultVisitor } from './coco/coco-results.js';
export { CocoResultFields } from './coco/coco-result-fields.js';
export {
  cocoAnnotationSchema,
  cocoBboxSchema,
  cocoCategorySchema,
  cocoIdSchema,
  cocoImageSchema,
  cocoResultSchema,
  checkEntry,
  jsonPath,
  parseEntry,
} from './coco/coco-schema.js';
export { toCocoJson, writeCocoJson, writeCocoResults, type CocoWriteInput } from './coco/write-coco-json.js';
export { visitJson, parseJsonText, DEFAULT_STREAM_ABOVE_BYTES, DEFAULT_STREAM_OBJECT_ABOVE_BYTES, type JsonVisitOptions, type JsonVisitPlan } from './coco/json-visit.js';
export { parseVocXml, readVocXml, VOC_MAX_BYTES, VOC_MAX_DEPTH, type VocAnnotation, type VocGeometry, type VocObject, type VocReadOptions } from './voc/voc-xml.js';
