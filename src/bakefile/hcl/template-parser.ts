/**
 * The HCL parser's template layer, as hclsyntax's parser_template.go: quoted
 * strings, heredocs and bare templates, read as flat parts (literals,
 * interpolations, directives), then strip markers, heredoc indentation and
 * literal melding applied, and `%{if}`/`%{for}` directives nested.
 */
import { codePointCount, rangeBetween, type SourceRange, type TextRange } from '../../core/diagnostics.js';
import { goTrimLeftSpace, goTrimRightSpace, isGoSpace } from '../../golang/strings.js';
import type { Expr, TemplatePart } from './ast.js';
import { ExpressionParser } from './expression-parser.js';
import {
  elseInFor,
  endforInIf,
  endifInFor,
  extraCharactersInMarker,
  interpolationEndError,
  invalidControlKeyword,
  invalidDirective,
  missingEndDirective,
  nestingTooDeep,
  secondElse,
  unbalancedDirective,
  unterminatedTemplate,
} from './parse-errors.js';
import { MAX_NESTING } from './token-cursor.js';
import { literalValue } from './token-values.js';
import type { TokenType } from './tokenizer.js';

type Directive =
  | { readonly kind: 'if'; readonly condition: Expr }
  | { readonly kind: 'for'; readonly keyVar: string | undefined; readonly valueVar: string; readonly collection: Expr }
  | { readonly kind: 'else' | 'endif' | 'endfor' };

type Ranged<T> = T & { readonly range: SourceRange };

/** Literals stay mutable until strip markers, heredoc indentation and melding are applied. */
interface FlatLiteral {
  readonly kind: 'literal';
  value: string;
  range: TextRange;
}

type InterpPart = Ranged<{ readonly kind: 'interp'; readonly expr: Expr }>;

/** A template element before directives are nested. */
type FlatPart = FlatLiteral | InterpPart | Ranged<Directive>;

type OpenDirective<K extends 'if' | 'for'> = Ranged<Extract<Directive, { kind: K }>>;

export abstract class TemplateParser extends ExpressionParser {
  /** A quoted string or heredoc whose opener was just read. */
  protected parseTemplate(open: number): Expr {
    const closer: TokenType = this.types[open] === 'oquote' ? 'cquote' : 'cheredoc';
    const parts: FlatPart[] = [];
    const close = this.parseTemplateParts(parts, open, closer, this.tokens.ends[open] as number);
    const flush = this.tokens.source.text.startsWith('<<-', this.tokens.starts[open]);
    return finishTemplate(parts, flush, this.span(open, close), this.tokens.range(close));
  }

  /** The whole text as a template without quotes. */
  parseBareTemplate(): Expr {
    const first = this.peek();
    const parts: FlatPart[] = [];
    const close = this.parseTemplateParts(parts, undefined, 'eof', this.tokens.starts[first] as number);
    return finishTemplate(parts, false, this.span(first, close), this.tokens.range(close));
  }

  /**
   * Reads the template's tokens into `parts` up to its closer, which it
   * returns, applying `~` strip markers to the adjacent literals as HCL does.
   * `contentStart` is the text index after the opener.
   */
  private parseTemplateParts(parts: FlatPart[], open: number | undefined, closer: TokenType, contentStart: number): number {
    let trimNextLiteral = false;
    let previousWasLiteral = false;
    for (;;) {
      const token = this.read();
      const type = this.types[token];
      if (type === closer) {
        // An empty template is one empty literal, as in hclsyntax.
        if (parts.length === 0) parts.push({ kind: 'literal', value: '', range: this.tokens.source.range(contentStart, contentStart) });
        return token;
      }
      const trimThis = trimNextLiteral;
      const canTrimPrevious = previousWasLiteral;
      trimNextLiteral = false;
      previousWasLiteral = false;
      if (type === 'quotedLit' || type === 'stringLit') {
        const value = literalValue(this.tokens, token);
        parts.push({ kind: 'literal', value: trimThis ? goTrimLeftSpace(value) : value, range: this.tokens.range(token) });
        previousWasLiteral = true;
      } else if (type === 'interp' || type === 'control') {
        const last = parts[parts.length - 1];
        if (canTrimPrevious && this.hasStripMarker(token) && last?.kind === 'literal') last.value = goTrimRightSpace(last.value);
        const outer = this.setNewlines(false);
        const sequence = type === 'interp' ? this.parseInterpolation(token, closer) : this.parseDirective(token);
        this.newlines = outer;
        parts.push(sequence.part);
        trimNextLiteral = this.hasStripMarker(sequence.close);
      } else {
        // Only a quoted string or a heredoc can reach the end of the text unclosed.
        throw unterminatedTemplate(this.tokens.token(open ?? token), this.tokens);
      }
    }
  }

  /** Whether a sequence token (`${~`, `%{~`, `~}` rather than `${`, `%{`, `}`) has a strip marker. */
  private hasStripMarker(token: number): boolean {
    const text = this.tokens.source.text;
    return text[this.tokens.starts[token] as number] === '~' || text[(this.tokens.ends[token] as number) - 1] === '~';
  }

  private parseInterpolation(open: number, closer: TokenType): { part: FlatPart; close: number } {
    const expr = this.parseExpression();
    const close = this.read();
    if (this.types[close] !== 'seqEnd') throw interpolationEndError(this.tokens.token(close), this.tokens.token(open), closer === 'cquote');
    return { part: { kind: 'interp', expr, range: this.span(open, close) }, close };
  }

  private parseDirective(open: number): { part: FlatPart; close: number } {
    const keyword = this.read();
    if (this.types[keyword] !== 'ident') throw invalidDirective(this.tokens.range(keyword));
    const directive = this.parseDirectiveContent(keyword);
    const close = this.read();
    if (this.types[close] !== 'seqEnd') throw extraCharactersInMarker(this.tokens.range(close), this.tokens.text(keyword));
    return { part: { ...directive, range: this.span(open, close) }, close };
  }

  private parseDirectiveContent(keyword: number): Directive {
    const word = this.tokens.text(keyword);
    switch (word) {
      case 'if':
        return { kind: 'if', condition: this.parseExpression() };
      case 'for': {
        const names = this.parseForNames('directive');
        return { kind: 'for', keyVar: names.keyVar, valueVar: names.valueVar, collection: this.parseExpression() };
      }
      case 'else':
      case 'endif':
      case 'endfor':
        return { kind: word };
      default:
        throw invalidControlKeyword(this.tokens.token(keyword));
    }
  }
}

/** Nests a template's flat parts into if/for parts, checking that directives balance. */
class TemplateNester {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly parts: readonly FlatPart[],
    private readonly endRange: SourceRange,
  ) {}

  parseAll(): TemplatePart[] {
    const result: TemplatePart[] = [];
    while (this.pos < this.parts.length) result.push(this.parsePart());
    return result;
  }

  private parsePart(): TemplatePart {
    const part = this.parts[this.pos++] as FlatPart;
    switch (part.kind) {
      case 'literal':
      case 'interp':
        return part;
      case 'if':
      case 'for':
        if (++this.depth > MAX_NESTING) throw nestingTooDeep(part.range, MAX_NESTING);
        return part.kind === 'if' ? this.parseIf(part) : this.parseFor(part);
      default:
        throw unbalancedDirective(part.kind, part.range);
    }
  }

  private parseIf(open: OpenDirective<'if'>): TemplatePart {
    const thenParts: TemplatePart[] = [];
    let elseParts: TemplatePart[] | undefined;
    for (;;) {
      const next = this.parts[this.pos];
      if (next === undefined) throw missingEndDirective('if', 'endif', open.range, this.endRange);
      if (next.kind === 'endif') {
        this.pos++;
        this.depth--;
        return { kind: 'if', condition: open.condition, then: thenParts, else: elseParts, range: rangeBetween(open.range, next.range) };
      }
      if (next.kind === 'else') {
        if (elseParts) throw secondElse(next.range, open.range);
        this.pos++;
        elseParts = [];
      } else if (next.kind === 'endfor') {
        throw endforInIf(next.range, open.range);
      } else {
        (elseParts ?? thenParts).push(this.parsePart());
      }
    }
  }

  private parseFor(open: OpenDirective<'for'>): TemplatePart {
    const body: TemplatePart[] = [];
    for (;;) {
      const next = this.parts[this.pos];
      if (next === undefined) throw missingEndDirective('for', 'endfor', open.range, this.endRange);
      if (next.kind === 'endfor') {
        this.pos++;
        this.depth--;
        return { kind: 'for', keyVar: open.keyVar, valueVar: open.valueVar, collection: open.collection, body, range: rangeBetween(open.range, next.range) };
      }
      if (next.kind === 'else') throw elseInFor(next.range);
      if (next.kind === 'endif') throw endifInFor(next.range, open.range);
      body.push(this.parsePart());
    }
  }
}

/**
 * `<<-` heredocs: remove the smallest indentation of the non-blank lines from
 * every non-blank line. Indentation is measured on the literal text, not on
 * interpolated values, so an interpolation starting a line makes it zero, as in HCL.
 */
function flushHeredocIndentation(parts: readonly FlatPart[]): void {
  let minSpaces = Infinity;
  let atLineStart = true;
  const lineStarts: FlatLiteral[] = [];
  for (const part of parts) {
    if (atLineStart) {
      atLineStart = false;
      if (part.kind !== 'literal') {
        minSpaces = 0;
      } else {
        const indent = leadingSpace(part.value);
        const blank = indent.length === part.value.length && part.value.endsWith('\n');
        if (!blank) {
          minSpaces = Math.min(minSpaces, codePointCount(indent));
          lineStarts.push(part);
        }
      }
    }
    if (part.kind === 'literal' && part.value.endsWith('\n')) atLineStart = true;
  }
  for (const literal of lineStarts) {
    const removed = prefixOfCodePoints(literal.value, minSpaces);
    literal.value = literal.value.slice(removed.length);
    literal.range = literal.range.source.range(literal.range.from + removed.length, literal.range.to);
  }
}

function leadingSpace(s: string): string {
  let k = 0;
  while (k < s.length && isGoSpace(s.charCodeAt(k))) k++;
  return s.slice(0, k);
}

function prefixOfCodePoints(s: string, count: number): string {
  let k = 0;
  for (let n = 0; n < count && k < s.length; n++) k += (s.codePointAt(k) as number) > 0xffff ? 2 : 1;
  return s.slice(0, k);
}

/** A template that is exactly one interpolation yields that expression's value unconverted (TemplateWrapExpr). */
function finishTemplate(parts: FlatPart[], flushIndentation: boolean, range: SourceRange, endRange: SourceRange): Expr {
  if (flushIndentation) flushHeredocIndentation(parts);
  meldLiterals(parts);
  const only = parts[0];
  if (parts.length === 1 && only?.kind === 'interp') return { kind: 'templateWrap', wrapped: only.expr, range };
  // Most templates have no directives, and then their parts need no nesting.
  return { kind: 'template', parts: hasNoDirectives(parts) ? parts : new TemplateNester(parts, endRange).parseAll(), range };
}

/** Merges adjacent literals (a heredoc's lines) in place. */
function meldLiterals(parts: FlatPart[]): void {
  let kept = 0;
  for (const part of parts) {
    const last = parts[kept - 1];
    if (part.kind === 'literal' && last?.kind === 'literal') {
      last.value += part.value;
      last.range = last.range.source.range(last.range.from, part.range.to);
    } else {
      parts[kept++] = part;
    }
  }
  parts.length = kept;
}

function hasNoDirectives(parts: readonly FlatPart[]): parts is readonly (FlatLiteral | InterpPart)[] {
  for (const part of parts) if (part.kind !== 'literal' && part.kind !== 'interp') return false;
  return true;
}
