/**
 * HCL2 native-syntax parser producing the ast.ts tree with exact ranges. It
 * follows hclsyntax's parser (parser.go, parser_template.go) closely, so that
 * precedence, newline rules, strip markers, heredoc indentation and node
 * ranges are HCL's; diagnostics use HCL's summaries and details, plus a fix
 * (parse-errors.ts). The first syntax error is thrown as a BakeFileError.
 *
 * This module is the entry point and the body layer (attributes, blocks,
 * labels). The parser is one class built in layers, one job each:
 * token-cursor.ts (token access, nesting limit) ← expression-parser.ts
 * (expressions, traversals) ← template-parser.ts (strings, heredocs,
 * directives) ← this module's Parser.
 */
import { rangeBetween, type SourcePos, type SourceRange } from '../../core/diagnostics.js';
import type { Attribute, Block, Body, Expr, File } from './ast.js';
import {
  argumentOrBlockRequired,
  attributeRedefined,
  bodyItemError,
  invalidBlockDefinition,
  missingNewline,
  nestedBlockInSingleLineBlock,
  singleLineBlockEndError,
  templateSequenceInLabel,
  unterminatedLabel,
} from './parse-errors.js';
import { TemplateParser } from './template-parser.js';
import { literalValue } from './token-values.js';
import { tokenize } from './tokenizer.js';

/** The nesting limit, part of what the parser promises its callers (and its tests). */
export { MAX_NESTING } from './token-cursor.js';

/** Parses a whole HCL file. */
export function parseHCL(filename: string, text: string): File {
  return { filename, body: new Parser(tokenize(filename, text)).parseFile() };
}

/**
 * Parses text holding one expression (hclsyntax.ParseExpression): newlines
 * are insignificant, as inside parentheses. `start` positions embedded text.
 */
export function parseExpression(filename: string, text: string, start?: SourcePos): Expr {
  return new Parser(tokenize(filename, text, 'config', start)).parseStandaloneExpression();
}

/**
 * Parses text as a template without quotes (hclsyntax.ParseTemplate): `${}`
 * and `%{}` sequences are recognised, backslashes are literal.
 */
export function parseTemplate(filename: string, text: string, start?: SourcePos): Expr {
  return new Parser(tokenize(filename, text, 'template', start)).parseBareTemplate();
}

interface BodyItems {
  readonly attributes: Attribute[];
  readonly blocks: Block[];
  /** The closing token's index. */
  readonly close: number;
}

class Parser extends TemplateParser {
  parseFile(): Body {
    const items = this.parseBodyItems('eof', undefined);
    // The file's range starts at its very beginning, before any byte order mark.
    return { attributes: items.attributes, blocks: items.blocks, range: this.tokens.source.range(0, this.tokens.ends[items.close] as number) };
  }

  private parseBodyItems(closer: 'eof' | '}', open: number | undefined): BodyItems {
    const attributes: Attribute[] = [];
    const blocks: Block[] = [];
    const seen = new Map<string, Attribute>();
    for (;;) {
      const token = this.read();
      const type = this.types[token];
      if (type === closer) return { attributes, blocks, close: token };
      if (type === 'newline') continue;
      if (type !== 'ident') throw bodyItemError(this.tokens.token(token), open === undefined ? undefined : this.tokens.token(open));
      const item = this.parseBodyItem(token);
      if ('expr' in item) {
        const earlier = seen.get(item.name);
        if (earlier) throw attributeRedefined(item, earlier);
        seen.set(item.name, item);
        attributes.push(item);
      } else {
        blocks.push(item);
      }
    }
  }

  private parseBodyItem(name: number): Attribute | Block {
    const next = this.next();
    if (next === '=') return this.parseAttribute(name, false);
    if (next === 'oquote' || next === '{' || next === 'ident') return this.parseBlock(name);
    throw argumentOrBlockRequired(this.tokens.token(name), true);
  }

  private parseAttribute(name: number, singleLine: boolean): Attribute {
    this.read(); // the equals sign
    const expr = this.parseExpression();
    if (!singleLine) this.expectLineEnd('argument');
    const nameRange = this.tokens.range(name);
    return { name: this.tokens.text(name), nameRange, expr, range: rangeBetween(nameRange, expr.range) };
  }

  private expectLineEnd(what: 'argument' | 'block'): void {
    const end = this.peek();
    if (this.types[end] === 'newline') this.read();
    else if (this.types[end] !== 'eof') throw missingNewline(this.tokens.token(end), what);
  }

  private parseBlock(typeToken: number): Block {
    this.enter(typeToken);
    const block = this.parseBlockContent(typeToken);
    this.depth--;
    return block;
  }

  private parseBlockContent(typeToken: number): Block {
    const labels: string[] = [];
    const labelRanges: SourceRange[] = [];
    let token = this.read();
    while (this.types[token] !== '{') {
      if (this.types[token] === 'oquote') {
        const label = this.parseLabel(token);
        labels.push(label.value);
        labelRanges.push(label.range);
      } else if (this.types[token] === 'ident') {
        labels.push(this.tokens.text(token));
        labelRanges.push(this.tokens.range(token));
      } else {
        throw invalidBlockDefinition(this.tokens.token(token));
      }
      token = this.read();
    }
    const open = token;
    const first = this.next();
    const items = first === 'newline' || first === 'eof' || first === '}' ? this.parseBodyItems('}', open) : this.parseSingleAttributeBody(open);
    this.expectLineEnd('block');
    return {
      type: this.tokens.text(typeToken),
      typeRange: this.tokens.range(typeToken),
      labels,
      labelRanges,
      body: { attributes: items.attributes, blocks: items.blocks, range: this.span(open, items.close) },
      range: this.span(typeToken, items.close),
    };
  }

  /** `name { arg = value }` on one line: exactly one argument, then the closing brace. */
  private parseSingleAttributeBody(open: number): BodyItems {
    const name = this.read();
    if (this.types[name] !== 'ident') throw argumentOrBlockRequired(this.tokens.token(name), false);
    const next = this.peek();
    const nextType = this.types[next];
    if (nextType === 'oquote' || nextType === '{' || nextType === 'ident') throw nestedBlockInSingleLineBlock(this.span(name, next), this.tokens.text(name));
    if (nextType !== '=') throw argumentOrBlockRequired(this.tokens.token(name), true);
    const attribute = this.parseAttribute(name, true);
    const close = this.read();
    if (this.types[close] !== '}') throw singleLineBlockEndError(this.tokens.token(close), this.tokens.token(open));
    return { attributes: [attribute], blocks: [], close };
  }

  /** A quoted block label: a string without template sequences. */
  private parseLabel(open: number): { value: string; range: SourceRange } {
    let value = '';
    for (;;) {
      const token = this.read();
      const type = this.types[token];
      if (type === 'cquote') return { value, range: this.span(open, token) };
      if (type === 'quotedLit') {
        value += literalValue(this.tokens, token);
      } else if (type === 'interp' || type === 'control') {
        throw templateSequenceInLabel(this.tokens.range(token), type === 'interp' ? '$' : '%');
      } else {
        throw unterminatedLabel(this.tokens.range(open));
      }
    }
  }
}
