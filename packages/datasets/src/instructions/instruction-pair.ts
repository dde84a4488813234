/**
 * One CSIA training example: an instruction about one image and the response the language
 * model must produce (the loss covers response tokens only).
 */
import type { Modality } from '../sample.js';

export const INSTRUCTION_TASKS = ['counting', 'presence', 'grounding', 'referring', 'caption'] as const;
export type InstructionTask = (typeof INSTRUCTION_TASKS)[number];

export interface InstructionPair {
  /** `<sampleId>#<k>`, unique per set. */
  id: string;
  sampleId: string;
  modality: Modality;
  imagePath: string;
  task: InstructionTask;
  instruction: string;
  response: string;
}
