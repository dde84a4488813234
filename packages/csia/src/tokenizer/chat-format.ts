// Qwen2 / InternVL chat formatting: `<|im_start|>role\ncontent<|im_end|>\n` turns, the image
// placeholder `<img>` + N × `<IMG_CONTEXT>` + `</img>` InternVL puts in the user turn, and the
// split of one instruction sample into prompt ids (never supervised) and response ids.
import { Template } from '@huggingface/jinja';
import { CsiaInputError } from '../errors.js';
import { IMAGE_TOKENS, type TextTokenizer } from './text-tokenizer.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface RenderChatOptions {
  /** Jinja chat template (e.g. tokenizer_config.json's `chat_template`); default: Qwen2's turn format. */
  template?: string;
  /** Append `<|im_start|>assistant\n` so the model answers next. */
  addGenerationPrompt?: boolean;
  /** Extra variables for the template (e.g. `enable_thinking: false` for Qwen3's). */
  variables?: Record<string, unknown>;
}

/** Qwen2's turn format without a default system message (what InternVL's template writes per turn). */
export function renderQwenChat(messages: readonly ChatMessage[], addGenerationPrompt = false): string {
  let out = '';
  for (const m of messages) out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  return addGenerationPrompt ? `${out}<|im_start|>assistant\n` : out;
}

/** Renders messages with a Jinja chat template when given, else with `renderQwenChat`. */
export function renderChat(messages: readonly ChatMessage[], opts: RenderChatOptions = {}): string {
  messages.forEach((m, i) => {
    if (!['system', 'user', 'assistant'].includes(m.role) || typeof m.content !== 'string') {
      throw new CsiaInputError(`renderChat: message ${i} needs role system|user|assistant and string content`);
    }
  });
  if (!opts.template) return renderQwenChat(messages, opts.addGenerationPrompt ?? false);
  let template: Template;
  try {
    template = new Template(opts.template);
  } catch (e) {
    throw new CsiaInputError(`renderChat: chat template does not parse: ${(e as Error).message}`);
  }
  return template.render({ messages, add_generation_prompt: opts.addGenerationPrompt ?? false, ...opts.variables });
}

/** `<img>` + n × `<IMG_CONTEXT>` + `</img>`, as InternVL writes the image into the user turn. */
export function imagePlaceholder(numImageTokens: number): string {
  if (!(Number.isInteger(numImageTokens) && numImageTokens > 0)) {
    throw new CsiaInputError(`imagePlaceholder: numImageTokens must be a positive integer, got ${numImageTokens}`);
  }
  return `${IMAGE_TOKENS.start}${IMAGE_TOKENS.context.repeat(numImageTokens)}${IMAGE_TOKENS.end}`;
}

export interface EncodedInstruction {
  /** Chat prompt up to and including `<|im_start|>assistant\n`: image placeholders + instruction. */
  promptIds: number[];
  /** The answer followed by `<|im_end|>` (the model learns to stop). */
  responseIds: number[];
}

export interface EncodeInstructionOptions {
  /** Visual tokens the projector produces per image (0: a text-only sample). */
  numImageTokens: number;
  /** Optional system message. */
  system?: string;
  /** Jinja chat template; default Qwen2's turn format. */
  template?: string;
}

/**
 * Tokenises one instruction/response pair: prompt = chat up to the assistant's turn (the user
 * turn holds the image placeholder, a newline and the instruction), response = answer +
 * `<|im_end|>`. Prompt and response are encoded separately so their boundary is exact.
 */
export function encodeInstruction(tokenizer: TextTokenizer, instruction: string, response: string, opts: EncodeInstructionOptions): EncodedInstruction {
  const user = opts.numImageTokens > 0 ? `${imagePlaceholder(opts.numImageTokens)}\n${instruction}` : instruction;
  const messages: ChatMessage[] = [...(opts.system ? [{ role: 'system' as const, content: opts.system }] : []), { role: 'user', content: user }];
  const prompt = renderChat(messages, { template: opts.template, addGenerationPrompt: true });
  return { promptIds: tokenizer.encode(prompt), responseIds: tokenizer.encode(`${response}<|im_end|>`) };
}
