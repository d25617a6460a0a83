// A model's chat template (Jinja, from tokenizer_config.json's chat_template or chat_template.jinja), rendered as
// transformers' apply_chat_template renders it: messages, add_generation_prompt, the special tokens as strings
// (raise_exception is built into the renderer). @huggingface/jinja is the Jinja implementation transformers.js uses for this.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { ModelError } from '../../core/errors.js';
import { readJsonFile, tokenContent } from './bpe.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | string;
  content: string;
}

const SPECIAL_KEYS = ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token'];

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    readonly source: string,
    private readonly specialTokens: Record<string, string>,
  ) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new ModelError(`chat template does not parse: ${(e as Error).message}`, { code: 'chat_template_invalid', hint: 'check chat_template in tokenizer_config.json', cause: e });
    }
  }

  /** The folder's template: chat_template.jinja, else tokenizer_config.json's chat_template (the "default" one of a list). */
  static fromDir(dir: string): ChatTemplate | undefined {
    const cfgPath = join(dir, 'tokenizer_config.json');
    const cfg = existsSync(cfgPath) ? readJsonFile<Record<string, unknown>>(cfgPath, 'tokenizer_config.json') : {};
    const specials: Record<string, string> = {};
    for (const k of SPECIAL_KEYS) {
      const v = tokenContent(cfg[k]);
      if (v !== undefined) specials[k] = v;
    }
    const jinjaPath = join(dir, 'chat_template.jinja');
    if (existsSync(jinjaPath)) return new ChatTemplate(readFileSync(jinjaPath, 'utf8'), specials);
    const t = cfg.chat_template;
    if (typeof t === 'string') return new ChatTemplate(t, specials);
    if (Array.isArray(t)) {
      const named = t.find((x) => (x as { name?: unknown }).name === 'default') as { template?: unknown } | undefined;
      if (typeof named?.template === 'string') return new ChatTemplate(named.template, specials);
    }
    return undefined;
  }

  render(messages: readonly ChatMessage[], opts: { addGenerationPrompt: boolean }): string {
    try {
      return this.template.render({
        ...this.specialTokens,
        messages,
        add_generation_prompt: opts.addGenerationPrompt,
      });
    } catch (e) {
      throw new ModelError(`chat template failed: ${(e as Error).message}`, { code: 'chat_template_failed', cause: e });
    }
  }
}
