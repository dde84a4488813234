export * from './instruction-pair.js';
export * from './templates.js';
export * from './build-instructions.js';
export * from './instruction-jsonl.js';
