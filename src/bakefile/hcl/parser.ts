/**
 * HCL2 native-syntax parser producing the ast.ts tree with exact ranges. It
 * follows hclsyntax's parser (parser.go, parser_template.go) closely, so that
 * precedence, newline rules, strip markers, heredoc indentation and node
 * ranges are HCL's; diagnostics use HCL's summaries and details, plus a fix.
 * The first syntax error is thrown as a BakeFileError.
 */
import { bakeError, codePointCount, rangeBetween, type BakeFileError, type SourcePos, type SourceRange, type TextRange } from '../../core/diagnostics.js';
import type { Value } from '../expr/value.js';
import type { Attribute, BinaryOperator, Block, Body, Expr, File, ObjectItem, TemplatePart, Traverser } from './ast.js';
import { nameSuggestion } from '../../core/suggest.js';
import { goTrimLeftSpace, goTrimRightSpace, isGoSpace } from '../../golang/strings.js';
import { literalValue, numberValue, tokenize, type Token, type TokenList, type TokenType } from './tokenizer.js';

/** Deeper nesting of blocks, brackets, operators or templates is rejected rather than risking the stack. */
export const MAX_NESTING = 128;

/** Binary operators' precedence, lowest first, as hclsyntax's binaryOps. */
const BINARY_PRECEDENCE: Readonly<Partial<Record<TokenType, number>>> = {
  '||': 0,
  '&&': 1,
  '==': 2,
  '!=': 2,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
};

const TEMPLATE_KEYWORDS = ['if', 'for', 'else', 'endif', 'endfor'];

type ForContext = 'expression' | 'directive';

/** HCL's details for malformed names in `[for ...]` and `%{for ...}`. */
const FOR_NAME_ERRORS: Readonly<Record<ForContext, { readonly name: string; readonly valueName: string; readonly in: string }>> = {
  expression: {
    name: "For expression requires variable name after 'for'.",
    valueName: 'For expression requires value variable name after comma.',
    in: "For expression requires the 'in' keyword after its name declarations.",
  },
  directive: {
    name: "For directive requires variable name after 'for'.",
    valueName: 'For directive requires value variable name after comma.',
    in: "For directive requires 'in' keyword after names.",
  },
};

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

interface BodyItems {
  readonly attributes: Attribute[];
  readonly blocks: Block[];
  /** The closing token's index. */
  readonly close: number;
}

class Parser {
  private pos = 0;
  /** Whether newlines are tokens in the current context (they are not inside brackets, parens and templates). */
  private newlines = true;
  private depth = 0;
  private readonly types: readonly TokenType[];

  constructor(private readonly tokens: TokenList) {
    this.types = tokens.types;
  }

  parseFile(): Body {
    const items = this.parseBodyItems('eof', undefined);
    // The file's range starts at its very beginning, before any byte order mark.
    return { attributes: items.attributes, blocks: items.blocks, range: this.tokens.source.range(0, this.tokens.ends[items.close] as number) };
  }

  parseStandaloneExpression(): Expr {
    this.newlines = false;
    const expr = this.parseExpression();
    const extra = this.peek();
    if (this.types[extra] !== 'eof') {
      throw syntaxError(
        'Extra characters after expression',
        this.tokens.range(extra),
        'An expression was successfully parsed, but extra characters were found after it.',
        'Remove the extra characters, or combine them into the expression with an operator.',
      );
    }
    return expr;
  }

  // ---- token access: tokens are indices into the TokenList ----

  /** The next token. */
  private peek(): number {
    let i = this.pos;
    if (!this.newlines) {
      while (this.types[i] === 'newline') i++;
    }
    return i;
  }

  /** The next token's type. */
  private next(): TokenType {
    return this.types[this.peek()] as TokenType;
  }

  private read(): number {
    const i = this.peek();
    if (this.types[i] !== 'eof') this.pos = i + 1;
    return i;
  }

  /** From the start of token `from` to the end of token `to`. */
  private span(from: number, to: number): TextRange {
    return this.tokens.source.range(this.tokens.starts[from] as number, this.tokens.ends[to] as number);
  }

  /** Compares without slicing the token's text. */
  private isKeyword(t: number, word: string): boolean {
    const start = this.tokens.starts[t] as number;
    return this.types[t] === 'ident' && (this.tokens.ends[t] as number) - start === word.length && this.tokens.source.text.startsWith(word, start);
  }

  /**
   * Makes newlines significant or not until the caller restores the returned
   * outer setting (a thrown error ends the parse, so no finally is needed).
   */
  private setNewlines(significant: boolean): boolean {
    const outer = this.newlines;
    this.newlines = significant;
    return outer;
  }

  /** Counts one level of nesting at token `at`; callers undo it with `this.depth--` (a thrown error ends the parse anyway). */
  private enter(at: number): void {
    if (++this.depth > MAX_NESTING) throw nestingTooDeep(this.tokens.range(at));
  }

  // ---- bodies ----

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
    if (nextType === 'oquote' || nextType === '{' || nextType === 'ident') {
      throw syntaxError(
        'Argument definition required',
        this.span(name, next),
        `A single-line block definition can contain only a single argument. If you meant to define argument ${JSON.stringify(this.tokens.text(name))}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.`,
        'Put the nested block on its own line inside its parent block.',
      );
    }
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
        const mark = type === 'interp' ? '$' : '%';
        throw syntaxError(
          'Invalid string literal',
          this.tokens.range(token),
          `Template sequences are not allowed in this string. To include a literal "${mark}", double it (as "${mark}${mark}") to escape it.`,
          `Write "${mark}${mark}{" for a literal "${mark}{", or use a plain label without template sequences.`,
        );
      } else {
        throw syntaxError(
          'Unterminated string literal',
          this.tokens.range(open),
          'Unable to find the closing quote mark before the end of the file.',
          'Add the closing quote (") after the label.',
        );
      }
    }
  }

  // ---- expressions ----

  private parseExpression(): Expr {
    this.enter(this.peek());
    const expr = this.parseConditional();
    this.depth--;
    return expr;
  }

  private parseConditional(): Expr {
    const condition = this.parseBinary(0);
    if (this.next() !== '?') return condition;
    this.read();
    const trueResult = this.parseExpression();
    const colon = this.peek();
    if (this.types[colon] !== ':') {
      throw syntaxError(
        'Missing false expression in conditional',
        this.tokens.range(colon),
        'The conditional operator (...?...:...) requires a false expression, delimited by a colon.',
        'Add ": <value if false>" after the value if true.',
      );
    }
    this.read();
    const falseResult = this.parseExpression();
    return { kind: 'conditional', condition, trueResult, falseResult, range: rangeBetween(condition.range, falseResult.range) };
  }

  /**
   * Precedence climbing over operators of at least `minPrecedence`; equal
   * precedence combines left-associatively: a-b-c is (a-b)-c.
   */
  private parseBinary(minPrecedence: number): Expr {
    let lhs = this.parseOperand();
    for (;;) {
      const op = this.next();
      const precedence = BINARY_PRECEDENCE[op];
      if (precedence === undefined || precedence < minPrecedence) return lhs;
      this.read();
      const rhs = this.parseBinary(precedence + 1);
      lhs = { kind: 'binaryOp', op: op as BinaryOperator, lhs, rhs, range: rangeBetween(lhs.range, rhs.range) };
    }
  }

  /** A term with its traversals; unary operators bind tighter than any binary one (-a+b is (-a)+b). */
  private parseOperand(): Expr {
    return this.parseTraversals(this.parseTerm());
  }

  private parseTerm(): Expr {
    switch (this.next()) {
      case '(':
        return this.parseParentheses();
      case 'number':
        return this.parseNumber(this.read());
      case 'ident':
        return this.parseIdentifierTerm(this.read());
      case 'oquote':
      case 'oheredoc':
        return this.parseTemplate(this.read());
      case '-':
      case '!':
        return this.parseUnary(this.read());
      case '[':
        return this.parseTuple(this.read());
      case '{':
        return this.parseObject(this.read());
      default:
        throw this.invalidExpression(this.peek());
    }
  }

  private invalidExpression(token: number): BakeFileError {
    const range = this.tokens.range(token);
    if (this.types[token] === 'eof') {
      return syntaxError(
        'Missing expression',
        range,
        'Expected the start of an expression, but found the end of the file.',
        'Write a value here, such as a quoted string, a number, a list [...] or an object {...}.',
      );
    }
    const heredocLike = this.types[token] === '<' && this.types[token + 1] === '<';
    return syntaxError(
      'Invalid expression',
      range,
      heredocLike
        ? 'Expected the start of an expression, but found an invalid expression token. A heredoc marker like <<EOT must be followed directly by a line break.'
        : 'Expected the start of an expression, but found an invalid expression token.',
      heredocLike
        ? 'End the line right after the heredoc marker and start the text on the next line.'
        : 'Write a value here, such as a quoted string, a number, a list [...] or an object {...}.',
    );
  }

  private parseParentheses(): Expr {
    const open = this.read();
    const outer = this.setNewlines(false);
    const expr = this.parseExpression();
    const close = this.read();
    if (this.types[close] !== ')') {
      throw syntaxError('Unbalanced parentheses', this.tokens.range(close), 'Expected a closing parenthesis to terminate the expression.', 'Add the missing ")".');
    }
    this.newlines = outer;
    return { kind: 'parens', expr, range: this.span(open, close) };
  }

  private parseNumber(token: number): Expr {
    return { kind: 'literal', value: this.numberOf(token, this.tokens.text(token)), range: this.tokens.range(token) };
  }

  /** The value of number token `token`, whose text is `text`. */
  private numberOf(token: number, text: string): number {
    const value = numberValue(text);
    if (value === undefined) {
      throw syntaxError(
        'Invalid number literal',
        this.tokens.range(token),
        'Failed to recognize the value of this number literal.',
        'Write the number in decimal notation, like 42, 1.5 or 1e3.',
      );
    }
    return value;
  }

  private parseIdentifierTerm(name: number): Expr {
    if (this.next() === '(') return this.parseFunctionCall(name);
    const text = this.tokens.text(name);
    const range = this.tokens.range(name);
    switch (text) {
      case 'true':
        return { kind: 'literal', value: true, range };
      case 'false':
        return { kind: 'literal', value: false, range };
      case 'null':
        return { kind: 'literal', value: null, range };
      default:
        return { kind: 'scopeTraversal', root: text, rootRange: range, steps: [], range };
    }
  }

  private parseUnary(operator: number): Expr {
    this.enter(operator);
    const operand = this.parseOperand();
    this.depth--;
    return { kind: 'unaryOp', op: this.types[operator] as '!' | '-', operand, range: rangeBetween(this.tokens.range(operator), operand.range) };
  }

  /** Arguments are separated by commas, a trailing comma is allowed, and `...` may follow the last one. */
  private parseFunctionCall(name: number): Expr {
    const open = this.read();
    const outer = this.setNewlines(false);
    const args: Expr[] = [];
    let expandFinal = false;
    while (this.next() !== ')') {
      args.push(this.parseExpression());
      const separator = this.peek();
      const type = this.types[separator];
      if (type === ')') break;
      this.read();
      if (type === '...') {
        expandFinal = true;
        if (this.next() !== ')') throw misplacedExpansion(this.tokens.token(separator));
      } else if (type !== ',') {
        throw functionCallSeparatorError(this.tokens.token(separator), this.tokens.token(name), this.tokens.token(open));
      }
    }
    const close = this.read();
    this.newlines = outer;
    return { kind: 'functionCall', name: this.tokens.text(name), nameRange: this.tokens.range(name), args, expandFinal, range: this.span(name, close) };
  }

  private parseTuple(open: number): Expr {
    if (this.forFollows()) return this.parseFor(open);
    const outer = this.setNewlines(false);
    const items: Expr[] = [];
    while (this.next() !== ']') {
      items.push(this.parseExpression());
      const next = this.peek();
      if (this.types[next] === ']') break;
      if (this.types[next] !== ',') throw tupleSeparatorError(this.tokens.token(next), this.tokens.token(open));
      this.read();
    }
    const close = this.read();
    this.newlines = outer;
    return { kind: 'tuple', items, range: this.span(open, close) };
  }

  private parseObject(open: number): Expr {
    if (this.forFollows()) return this.parseFor(open);
    const outer = this.setNewlines(true);
    const items: ObjectItem[] = [];
    for (;;) {
      const next = this.next();
      if (next === 'newline') {
        this.read();
        continue;
      }
      if (next === '}') break;
      items.push(this.parseObjectItem(open));
      const separator = this.peek();
      const type = this.types[separator];
      if (type === '}') break;
      if (type !== ',' && type !== 'newline') throw objectSeparatorError(this.tokens.token(separator), this.tokens.token(open));
      this.read();
    }
    const close = this.read();
    this.newlines = outer;
    return { kind: 'object', items, range: this.span(open, close) };
  }

  /** Whether `for` comes next, after any newlines: a for expression may start on the line after its bracket. */
  private forFollows(): boolean {
    const outer = this.setNewlines(false);
    const isFor = this.isKeyword(this.peek(), 'for');
    this.newlines = outer;
    return isFor;
  }

  private parseObjectItem(open: number): ObjectItem {
    const key = this.parseExpression();
    const separator = this.peek();
    if (this.types[separator] !== '=' && this.types[separator] !== ':') throw keyValueSeparatorError(this.tokens.token(separator), this.tokens.token(open));
    this.read();
    const value = this.parseExpression();
    // A bare name is the key itself; parentheses would make it a parens node, so no flag is needed for them.
    const keyIsBareName = key.kind === 'scopeTraversal' && key.steps.length === 0;
    return { key, keyIsBareName, value };
  }

  /** `[for k, v in coll : v if cond]` or `{for k, v in coll : k => v... if cond}`; `for` is next. */
  private parseFor(open: number): Expr {
    const outer = this.setNewlines(false);
    this.read(); // the `for` keyword
    const closer = this.types[open] === '{' ? '}' : ']';
    const names = this.parseForNames('expression');
    const collection = this.parseExpression();
    this.expectForToken(':', 'For expression requires a colon after the collection expression.');
    let valueExpr = this.parseExpression();
    let keyExpr: Expr | undefined;
    if (this.next() === '=>') {
      this.read();
      keyExpr = valueExpr;
      valueExpr = this.parseExpression();
    }
    const ellipsis = this.next() === '...' ? this.tokens.token(this.read()) : undefined;
    let condition: Expr | undefined;
    if (this.isKeyword(this.peek(), 'if')) {
      this.read();
      condition = this.parseExpression();
    }
    const close = this.expectForToken(closer, "Extra characters after the end of the 'for' expression.");
    checkForShape(closer, keyExpr, valueExpr, ellipsis);
    this.newlines = outer;
    return {
      kind: 'for',
      keyVar: names.keyVar,
      valueVar: names.valueVar,
      collection,
      keyExpr,
      valueExpr,
      condition,
      group: ellipsis !== undefined,
      range: this.span(open, close),
    };
  }

  /** `k, v in` or `v in` of a for expression or a `%{for}` directive; stops after `in`. */
  private parseForNames(context: ForContext): { keyVar: string | undefined; valueVar: string } {
    const messages = FOR_NAME_ERRORS[context];
    const first = this.expectForName(context, messages.name);
    let keyVar: string | undefined;
    let valueVar = first;
    if (this.next() === ',') {
      this.read();
      keyVar = first;
      valueVar = this.expectForName(context, messages.valueName);
    }
    if (!this.isKeyword(this.peek(), 'in')) throw forError(context, this.tokens.token(this.peek()), messages.in);
    this.read();
    return { keyVar, valueVar };
  }

  private expectForName(context: ForContext, detail: string): string {
    const token = this.peek();
    if (this.types[token] !== 'ident') throw forError(context, this.tokens.token(token), detail);
    return this.tokens.text(this.read());
  }

  private expectForToken(type: TokenType, detail: string): number {
    const token = this.read();
    if (this.types[token] !== type) throw forError('expression', this.tokens.token(token), detail);
    return token;
  }

  // ---- traversals, indexing and splats ----

  /**
   * Applies `.name`, `.0`, `[key]`, `[*]` and `.*` steps to `from`. Static
   * steps collect into one traversal node (extending a root name into a
   * scope traversal); dynamic keys and splats wrap what came before.
   */
  private parseTraversals(from: Expr): Expr {
    let source = from;
    // Static steps not yet applied to `source`; most operands have none, so the array is made on first use.
    let steps: Traverser[] | undefined;
    for (;;) {
      const next = this.next();
      if (next === '.') {
        const dot = this.read();
        const after = this.read();
        const type = this.types[after];
        if (type === 'ident') {
          (steps ??= []).push({ kind: 'attr', name: this.tokens.text(after), range: this.span(dot, after) });
        } else if (type === 'number') {
          (steps ??= []).push(this.legacyIndex(dot, after, false));
        } else if (type === '*') {
          source = this.parseAttributeSplat(applySteps(source, steps), dot, after);
          steps = undefined;
        } else {
          throw invalidAttributeName(this.tokens.token(after));
        }
      } else if (next === '[') {
        const open = this.read();
        if (this.next() === '*') {
          source = this.parseFullSplat(applySteps(source, steps), open);
          steps = undefined;
        } else {
          const { key, close } = this.parseIndexKey();
          const bracketRange = this.span(open, close);
          const literalKey = staticKey(key);
          if (literalKey) {
            (steps ??= []).push({ kind: 'index', key: literalKey.value, range: bracketRange });
          } else {
            const collection = applySteps(source, steps);
            source = { kind: 'index', collection, key, range: rangeBetween(collection.range, bracketRange) };
            steps = undefined;
          }
        }
      } else {
        return applySteps(source, steps);
      }
    }
  }

  private parseIndexKey(): { key: Expr; close: number } {
    const outer = this.setNewlines(false);
    const key = this.parseExpression();
    const close = this.read();
    if (this.types[close] !== ']') {
      throw syntaxError('Missing close bracket on index', this.tokens.range(close), 'The index operator must end with a closing bracket ("]").', 'Add the missing "]".');
    }
    this.newlines = outer;
    return { key, close };
  }

  /** `.0` is a legacy way of writing `[0]`; `.0.1` is one number token and is rejected. */
  private legacyIndex(dot: number, number: number, inSplat: boolean): Traverser {
    const text = this.tokens.text(number);
    const dotAt = text.indexOf('.');
    if (dotAt >= 0) {
      const [first, second] = [text.slice(0, dotAt), text.slice(dotAt + 1)];
      throw syntaxError(
        'Invalid legacy index syntax',
        this.tokens.range(number),
        inSplat
          ? `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax with a full splat expression [*] instead, like [${first}][${second}].`
          : `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [${first}][${second}].`,
        `Write the indexes in brackets, like [${first}][${second}].`,
      );
    }
    return { kind: 'index', key: this.numberOf(number, text), range: this.span(dot, number) };
  }

  /** `source[*]` followed by any traversal steps, which apply to each element. */
  private parseFullSplat(source: Expr, open: number): Expr {
    this.read(); // the star
    const close = this.read();
    if (this.types[close] !== ']') {
      throw syntaxError(
        'Missing close bracket on splat index',
        this.tokens.range(close),
        'The star for a full splat operator must be immediately followed by a closing bracket ("]").',
        'Write the splat as [*].',
      );
    }
    const item: Expr = { kind: 'anonSymbol', range: this.span(open, close) };
    this.enter(open);
    const each = this.parseTraversals(item);
    this.depth--;
    return { kind: 'splat', source, each, range: rangeBetween(source.range, each.range) };
  }

  /** `source.*.a.b`: only attribute (and legacy index) steps apply to each element. */
  private parseAttributeSplat(source: Expr, dot: number, star: number): Expr {
    const item: Expr = { kind: 'anonSymbol', range: this.span(dot, star) };
    const steps: Traverser[] = [];
    while (this.next() === '.') {
      const stepDot = this.read();
      const name = this.read();
      const type = this.types[name];
      if (type === 'number') steps.push(this.legacyIndex(stepDot, name, true));
      else if (type === 'ident') steps.push({ kind: 'attr', name: this.tokens.text(name), range: this.span(stepDot, name) });
      else if (type === '*') throw nestedSplat(this.tokens.token(name));
      else throw invalidAttributeName(this.tokens.token(name));
    }
    const first = steps[0];
    const last = steps[steps.length - 1];
    const each: Expr = first && last ? { kind: 'relativeTraversal', source: item, steps, range: rangeBetween(first.range, last.range) } : item;
    return { kind: 'splat', source, each, range: rangeBetween(source.range, last?.range ?? this.tokens.range(star)) };
  }

  // ---- templates ----

  /** A quoted string or heredoc whose opener was just read. */
  private parseTemplate(open: number): Expr {
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
    if (this.types[keyword] !== 'ident') {
      throw syntaxError(
        'Invalid template directive',
        this.tokens.range(keyword),
        'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
        'Start the directive with if, else, endif, for or endfor, or write "%%{" for a literal "%{".',
      );
    }
    const directive = this.parseDirectiveContent(keyword);
    const close = this.read();
    if (this.types[close] !== 'seqEnd') {
      const word = this.tokens.text(keyword);
      throw syntaxError(
        `Extra characters in ${word} marker`,
        this.tokens.range(close),
        'Expected a closing brace to end the sequence, but found extra characters.',
        `Close the ${word} directive with "}".`,
      );
    }
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
        if (++this.depth > MAX_NESTING) throw nestingTooDeep(part.range);
        return part.kind === 'if' ? this.parseIf(part) : this.parseFor(part);
      default:
        throw unexpectedDirective(part.kind, part.range, 'The control directives within this template are unbalanced.');
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
        if (elseParts) throw unexpectedDirective('else', next.range, `Already in the else clause for the if started at ${formatRange(open.range)}.`);
        this.pos++;
        elseParts = [];
      } else if (next.kind === 'endfor') {
        throw unexpectedDirective('endfor', next.range, `Expecting an endif directive for the if started at ${formatRange(open.range)}.`);
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
      if (next.kind === 'else') throw unexpectedDirective('else', next.range, 'An else clause is not expected for a for directive.');
      if (next.kind === 'endif') {
        throw unexpectedDirective('endif', next.range, `Expecting an endfor directive corresponding to the for directive at ${formatRange(open.range)}.`);
      }
      body.push(this.parsePart());
    }
  }
}

// ---- tree helpers ----

/** Steps extend a scope traversal (`a.b` then `.c`); anything else becomes the source of a relative traversal. */
function applySteps(source: Expr, steps: readonly Traverser[] | undefined): Expr {
  const last = steps?.[steps.length - 1];
  if (steps === undefined || last === undefined) return source;
  const range = rangeBetween(source.range, last.range);
  if (source.kind === 'scopeTraversal') return { ...source, steps: [...source.steps, ...steps], range };
  return { kind: 'relativeTraversal', source, steps, range };
}

/** A literal index key makes a static traversal step, as `[0]` and `["k"]` do in hclsyntax. */
function staticKey(key: Expr): { value: Value } | undefined {
  if (key.kind === 'literal') return { value: key.value };
  const only = key.kind === 'template' && key.parts.length === 1 ? key.parts[0] : undefined;
  return only?.kind === 'literal' ? { value: only.value } : undefined;
}

function checkForShape(closer: '}' | ']', keyExpr: Expr | undefined, valueExpr: Expr, ellipsis: Token | undefined): void {
  if (closer === ']' && keyExpr) {
    throw forError('expression', keyExpr, 'Key expression is not valid when building a tuple.', 'Remove "KEY =>" to build a list, or use braces {for ...} to build an object.');
  }
  if (closer === ']' && ellipsis) {
    throw forError('expression', ellipsis, 'Grouping ellipsis (...) cannot be used when building a tuple.', 'Remove the "..." or use braces {for ...} to build an object.');
  }
  if (closer === '}' && !keyExpr) {
    throw forError('expression', valueExpr, 'Key expression is required when building an object.', 'Write "KEY => VALUE" after the colon, or use brackets [for ...] to build a list.');
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

/** HCL's range notation in messages: `file:3,5-9` or `file:3,5-4,2`. */
function formatRange(range: SourceRange): string {
  const { start, end } = range;
  const endText = start.line === end.line ? `${end.column}` : `${end.line},${end.column}`;
  return `${range.filename}:${start.line},${start.column}-${endText}`;
}

// ---- diagnostics ----

function syntaxError(summary: string, range: SourceRange, detail: string, fix: string): BakeFileError {
  return bakeError(summary, range, fix, detail);
}

function nestingTooDeep(at: SourceRange): BakeFileError {
  return syntaxError(
    'Nesting too deep',
    at,
    `This is nested more than ${MAX_NESTING} levels deep.`,
    'Flatten the structure, for example by moving inner parts into variables.',
  );
}

function bodyItemError(token: Token, open: Token | undefined): BakeFileError {
  if (token.type === 'eof' && open) {
    return syntaxError(
      'Unclosed configuration block',
      open.range,
      'There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
      'Add the missing "}" at the end of the block.',
    );
  }
  if (token.type === 'oquote') {
    return syntaxError('Invalid argument name', token.range, 'Argument names must not be quoted.', 'Remove the quotes around the argument name.');
  }
  return syntaxError(
    'Argument or block definition required',
    token.range,
    'An argument or block definition is required here.',
    'Start the line with an argument name and "=", or a block type and "{".',
  );
}

function argumentOrBlockRequired(name: Token, afterName: boolean): BakeFileError {
  return syntaxError(
    'Argument or block definition required',
    name.range,
    afterName
      ? 'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.'
      : 'An argument or block definition is required here.',
    afterName ? `Write "${name.text} = <value>" to set an argument, or "${name.text} {" to open a block.` : 'Start with an argument name followed by "=".',
  );
}

function attributeRedefined(attribute: Attribute, earlier: Attribute): BakeFileError {
  return syntaxError(
    'Attribute redefined',
    attribute.nameRange,
    `The argument ${JSON.stringify(attribute.name)} was already set at ${formatRange(earlier.nameRange)}. Each argument may be set only once.`,
    `Remove one of the two definitions of "${attribute.name}".`,
  );
}

function missingNewline(end: Token, what: 'argument' | 'block'): BakeFileError {
  if (what === 'argument' && end.type === ',') {
    return syntaxError(
      'Unexpected comma after argument',
      end.range,
      'Argument definitions must be separated by newlines, not commas. An argument definition must end with a newline.',
      'Replace the comma with a line break.',
    );
  }
  return syntaxError(
    `Missing newline after ${what === 'argument' ? 'argument' : 'block definition'}`,
    end.range,
    `A${what === 'argument' ? 'n argument' : ' block'} definition must end with a newline.`,
    'Move this onto a new line.',
  );
}

function invalidBlockDefinition(token: Token): BakeFileError {
  if (token.type === '=') {
    return syntaxError(
      'Invalid block definition',
      token.range,
      'The equals sign "=" indicates an argument definition, and must not be used when defining a block.',
      'Remove the "=" after the block labels, or remove the labels to set an argument.',
    );
  }
  if (token.type === 'newline') {
    return syntaxError(
      'Invalid block definition',
      token.range,
      'A block definition must have block content delimited by "{" and "}", starting on the same line as the block header.',
      'Put the opening "{" on the same line as the block type and labels.',
    );
  }
  return syntaxError(
    'Invalid block definition',
    token.range,
    'Either a quoted string block label or an opening brace ("{") is expected here.',
    'Quote the block label, or open the block body with "{".',
  );
}

function singleLineBlockEndError(token: Token, open: Token): BakeFileError {
  if (token.type === 'eof') {
    return syntaxError(
      'Unclosed configuration block',
      open.range,
      'There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
      'Add the missing "}" at the end of the block.',
    );
  }
  const detail =
    token.type === ','
      ? 'Single-line block syntax can include only one argument definition. To define multiple arguments, use the multi-line block syntax with one argument definition per line.'
      : token.type === 'newline'
        ? "An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition."
        : 'A single-line block definition must end with a closing brace immediately after its single argument definition.';
  return syntaxError('Invalid single-argument block definition', token.range, detail, 'Put each argument on its own line between the braces, or close the one-line block with "}" right after its argument.');
}

function functionCallSeparatorError(separator: Token, name: Token, open: Token): BakeFileError {
  if (separator.type === 'eof') {
    return syntaxError(
      'Unterminated function call',
      rangeBetween(name.range, open.range),
      'There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.',
      'Add the missing ")" after the last argument.',
    );
  }
  return syntaxError('Missing argument separator', separator.range, 'A comma is required to separate each function argument from the next.', 'Separate the arguments with commas.');
}

function misplacedExpansion(ellipsis: Token): BakeFileError {
  return syntaxError(
    'Missing closing parenthesis',
    ellipsis.range,
    'An expanded function argument (with ...) must be immediately followed by closing parentheses.',
    'Use "..." only after the last argument, right before ")".',
  );
}

function tupleSeparatorError(next: Token, open: Token): BakeFileError {
  if (next.type === 'eof') {
    return syntaxError(
      'Unterminated tuple constructor expression',
      open.range,
      'There is no corresponding closing bracket before the end of the file. This may be caused by incorrect bracket nesting elsewhere in this file.',
      'Add the missing "]" after the last item.',
    );
  }
  return syntaxError('Missing item separator', next.range, 'Expected a comma to mark the beginning of the next item.', 'Separate the list items with commas.');
}

function keyValueSeparatorError(next: Token, open: Token): BakeFileError {
  switch (next.type) {
    case 'newline':
    case ',':
      return syntaxError('Missing attribute value', next.range, 'Expected an attribute value, introduced by an equals sign ("=").', 'Write "<key> = <value>".');
    case 'eof':
      return unterminatedObject(open);
    case 'ident':
      return syntaxError(
        'Missing key/value separator',
        next.range,
        'Expected an equals sign ("=") to mark the beginning of the attribute value. If you intended to given an attribute name containing periods or spaces, write the name in quotes to create a string literal.',
        'Put "=" between the key and its value, or quote a key that contains spaces or periods.',
      );
    default:
      return syntaxError(
        'Missing key/value separator',
        next.range,
        'Expected an equals sign ("=") to mark the beginning of the attribute value.',
        'Put "=" (or ":") between the key and its value.',
      );
  }
}

function objectSeparatorError(next: Token, open: Token): BakeFileError {
  if (next.type === 'eof') return unterminatedObject(open);
  return syntaxError(
    'Missing attribute separator',
    next.range,
    'Expected a newline or comma to mark the beginning of the next attribute.',
    'Separate the object attributes with commas or line breaks.',
  );
}

function unterminatedObject(open: Token): BakeFileError {
  return syntaxError(
    'Unterminated object constructor expression',
    open.range,
    'There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
    'Add the missing "}" after the last attribute.',
  );
}

function forError(context: ForContext, at: { readonly range: SourceRange }, detail: string, fix?: string): BakeFileError {
  return syntaxError(
    context === 'expression' ? "Invalid 'for' expression" : "Invalid 'for' directive",
    at.range,
    detail,
    fix ?? (context === 'expression' ? 'Write it as [for VALUE in LIST : RESULT] or {for KEY, VALUE in MAP : KEY => RESULT}.' : 'Write it as %{ for VALUE in LIST }...%{ endfor }.'),
  );
}

function invalidAttributeName(token: Token): BakeFileError {
  return syntaxError('Invalid attribute name', token.range, 'An attribute name is required after a dot.', 'Write an attribute name after the dot, or remove the dot.');
}

function nestedSplat(token: Token): BakeFileError {
  return syntaxError(
    'Nested splat expression not allowed',
    token.range,
    'A splat expression (*) cannot be used inside another attribute-only splat expression.',
    'Use the full splat form, like list[*].items[*].name.',
  );
}

function interpolationEndError(close: Token, open: Token, quoted: boolean): BakeFileError {
  const escapeFix = 'Close the interpolation with "}", or write "$${" for a literal "${".';
  if (close.type === 'eof') {
    return syntaxError(
      'Unclosed template interpolation sequence',
      open.range,
      'There is no closing brace for this interpolation sequence before the end of the file. This might be caused by incorrect nesting inside the given expression.',
      escapeFix,
    );
  }
  if (close.type === ':') {
    return syntaxError(
      'Extra characters after interpolation expression',
      close.range,
      'Template interpolation doesn\'t expect a colon at this location. Did you intend this to be a literal sequence to be processed as part of another language? If so, you can escape it by starting with "$${" instead of just "${".',
      escapeFix,
    );
  }
  if (quoted && (close.type === 'cquote' || close.type === 'oquote')) {
    return syntaxError(
      'Unclosed template interpolation sequence',
      open.range,
      'There is no closing brace for this interpolation sequence before the end of the quoted template. This might be caused by incorrect nesting inside the given expression.',
      escapeFix,
    );
  }
  return syntaxError(
    'Extra characters after interpolation expression',
    close.range,
    'Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis can happen when you include interpolation syntax for another language, such as shell scripting, but forget to escape the interpolation start token. If this is an embedded sequence for another language, escape it by starting with "$${" instead of just "${".',
    escapeFix,
  );
}

function invalidControlKeyword(keyword: Token): BakeFileError {
  const suggestion = nameSuggestion(keyword.text, TEMPLATE_KEYWORDS);
  return syntaxError(
    'Invalid template control keyword',
    keyword.range,
    `${JSON.stringify(keyword.text)} is not a valid template control keyword.${suggestion ? ` Did you mean ${JSON.stringify(suggestion)}?` : ''}`,
    suggestion ? `Write "${suggestion}".` : 'Use one of if, else, endif, for or endfor, or write "%%{" for a literal "%{".',
  );
}

function unexpectedDirective(kind: string, range: SourceRange, detail: string): BakeFileError {
  return syntaxError(`Unexpected ${kind} directive`, range, detail, `Remove this %{${kind}} or add the directive it belongs to.`);
}

function missingEndDirective(kind: 'if' | 'for', end: 'endif' | 'endfor', openRange: SourceRange, endRange: SourceRange): BakeFileError {
  return syntaxError(
    'Unexpected end of template',
    endRange,
    `The ${kind} directive at ${formatRange(openRange)} is missing its corresponding ${end} directive.`,
    `Add %{${end}} where the ${kind} section should end.`,
  );
}

/** The string or heredoc never closed; for a heredoc whose marker line lacks a final line break, say so. */
function unterminatedTemplate(open: Token, tokens: TokenList): BakeFileError {
  if (open.type === 'oquote') {
    return syntaxError('Unterminated template string', open.range, 'No closing marker was found for the string.', 'Add the closing quote (") at the end of the string.');
  }
  const marker = open.text.replace(/^<<-?/, '');
  const lastLiteral = tokens.types.length - 2;
  const markerWithoutNewline = tokens.types[lastLiteral] === 'stringLit' && tokens.text(lastLiteral).trim() === marker;
  return syntaxError(
    'Unterminated template string',
    open.range,
    markerWithoutNewline ? `No closing marker was found for the string: the closing ${marker} must be followed by a line break.` : 'No closing marker was found for the string.',
    markerWithoutNewline ? `Add a line break after the final ${marker}.` : `Add a line holding only ${marker} to end the heredoc.`,
  );
}

