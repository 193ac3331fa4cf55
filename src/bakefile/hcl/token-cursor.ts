/**
 * The HCL parser's base layer: a cursor over the token list (tokens are
 * indices into it) that skips newlines where they are insignificant, and
 * the nesting counter that keeps deep input from exhausting the stack. The
 * grammar builds on it: expression-parser.ts, template-parser.ts, parser.ts.
 */
import type { TextRange } from '../../core/diagnostics.js';
import { nestingTooDeep } from './parse-errors.js';
import type { TokenList, TokenType } from './tokenizer.js';

/** Deeper nesting of blocks, brackets, operators or templates is rejected rather than risking the stack. */
export const MAX_NESTING = 128;

export class TokenCursor {
  protected pos = 0;
  /** Whether newlines are tokens in the current context (they are not inside brackets, parens and templates). */
  protected newlines = true;
  protected depth = 0;
  protected readonly types: readonly TokenType[];

  constructor(protected readonly tokens: TokenList) {
    this.types = tokens.types;
  }

  /** The next token. */
  protected peek(): number {
    let i = this.pos;
    if (!this.newlines) {
      while (this.types[i] === 'newline') i++;
    }
    return i;
  }

  /** The next token's type. */
  protected next(): TokenType {
    return this.types[this.peek()] as TokenType;
  }

  protected read(): number {
    const i = this.peek();
    if (this.types[i] !== 'eof') this.pos = i + 1;
    return i;
  }

  /** From the start of token `from` to the end of token `to`. */
  protected span(from: number, to: number): TextRange {
    return this.tokens.source.range(this.tokens.starts[from] as number, this.tokens.ends[to] as number);
  }

  /** Compares without slicing the token's text. */
  protected isKeyword(t: number, word: string): boolean {
    const start = this.tokens.starts[t] as number;
    return this.types[t] === 'ident' && (this.tokens.ends[t] as number) - start === word.length && this.tokens.source.text.startsWith(word, start);
  }

  /**
   * Makes newlines significant or not until the caller restores the returned
   * outer setting (a thrown error ends the parse, so no finally is needed).
   */
  protected setNewlines(significant: boolean): boolean {
    const outer = this.newlines;
    this.newlines = significant;
    return outer;
  }

  /** Counts one level of nesting at token `at`; callers undo it with `this.depth--` (a thrown error ends the parse anyway). */
  protected enter(at: number): void {
    if (++this.depth > MAX_NESTING) throw nestingTooDeep(this.tokens.range(at), MAX_NESTING);
  }
}
