/**
 * JSONL storage for instruction data: one `InstructionPair` per line. Writes are atomic; reads
 * check every field and name the line of anything malformed.
 */
import fs from 'node:fs';
import { DatasetError } from '../errors.js';
import { writeFileAtomic } from '../formats/index.js';
import { MODALITIES, type Modality } from '../sample.js';
import { INSTRUCTION_TASKS, type InstructionPair, type InstructionTask } from './instruction-pair.js';

const STRING_FIELDS = ['id', 'sampleId', 'imagePath', 'instruction', 'response'] as const;

/** JSONL text (one pair per line, LF, trailing newline). */
export function formatInstructionsJsonl(pairs: readonly InstructionPair[]): string {
  return pairs.map((p) => JSON.stringify({ id: p.id, sampleId: p.sampleId, modality: p.modality, imagePath: p.imagePath, task: p.task, instruction: p.instruction, response: p.response })).join('\n') + (pairs.length ? '\n' : '');
}

export function writeInstructionsJsonl(file: string, pairs: readonly InstructionPair[]): void {
  writeFileAtomic(file, formatInstructionsJsonl(pairs));
}

export function readInstructionsJsonl(file: string): InstructionPair[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DatasetError({ file }, `cannot read instruction file: ${(err as Error).message}`);
  }
  return parseInstructionsJsonl(text, file);
}

export function parseInstructionsJsonl(text: string, file: string): InstructionPair[] {
  const out: InstructionPair[] = [];
  // Tolerate a UTF-8 BOM (editors on Windows add one), as the other readers do.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  body.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = { file, line: i + 1 };
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new DatasetError(where, `invalid JSON: ${(err as Error).message}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DatasetError(where, 'expected a JSON object per line');
    const o = v as Record<string, unknown>;
    for (const f of STRING_FIELDS) {
      if (typeof o[f] !== 'string') throw new DatasetError({ ...where, field: f }, `expected a string, got ${describe(o[f])}`);
    }
    if (!MODALITIES.includes(o.modality as Modality)) throw new DatasetError({ ...where, field: 'modality' }, `expected one of ${MODALITIES.join(', ')}, got ${describe(o.modality)}`);
    if (!INSTRUCTION_TASKS.includes(o.task as InstructionTask)) throw new DatasetError({ ...where, field: 'task' }, `expected one of ${INSTRUCTION_TASKS.join(', ')}, got ${describe(o.task)}`);
    out.push({
      id: o.id as string,
      sampleId: o.sampleId as string,
      modality: o.modality as Modality,
      imagePath: o.imagePath as string,
      task: o.task as InstructionTask,
      instruction: o.instruction as string,
      response: o.response as string,
    });
  });
  return out;
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing (field missing)' : JSON.stringify(v);
}
