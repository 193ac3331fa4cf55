/**
 * The HCL parser's expression layer, as hclsyntax's parser.go: operators by
 * precedence, conditionals, literals, function calls, tuples, objects, `for`
 * expressions, and traversals with their indexes and splats. Quoted strings
 * and heredocs are templates, which the next layer (template-parser.ts) reads.
 */
import { rangeBetween } from '../../core/diagnostics.js';
import type { Value } from '../expr/value.js';
import type { BinaryOperator, Expr, ObjectItem, Traverser } from './ast.js';
import {
  chainedLegacyIndex,
  extraCharactersAfterExpression,
  FOR_NAME_ERRORS,
  forError,
  functionCallSeparatorError,
  invalidAttributeName,
  invalidExpression,
  invalidNumber,
  keyValueSeparatorError,
  misplacedExpansion,
  missingFalseExpression,
  missingIndexBracket,
  missingSplatBracket,
  nestedSplat,
  objectSeparatorError,
  tupleSeparatorError,
  unbalancedParentheses,
  type ForContext,
} from './parse-errors.js';
import { TokenCursor } from './token-cursor.js';
import { numberValue } from './token-values.js';
import type { Numeric } from '../expr/numeric.js';
import type { Token, TokenType } from './tokenizer.js';

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

export abstract class ExpressionParser extends TokenCursor {
  parseStandaloneExpression(): Expr {
    this.newlines = false;
    const expr = this.parseExpression();
    const extra = this.peek();
    if (this.types[extra] !== 'eof') throw extraCharactersAfterExpression(this.tokens.range(extra));
    return expr;
  }

  /** A quoted string or heredoc whose opener was just read. */
  protected abstract parseTemplate(open: number): Expr;

  // ---- expressions ----

  protected parseExpression(): Expr {
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
    if (this.types[colon] !== ':') throw missingFalseExpression(this.tokens.range(colon));
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
      default: {
        // `<<` not followed by a line break is a heredoc marker that went wrong, not two operators.
        const token = this.peek();
        throw invalidExpression(this.tokens.token(token), this.types[token] === '<' && this.types[token + 1] === '<');
      }
    }
  }

  private parseParentheses(): Expr {
    const open = this.read();
    const outer = this.setNewlines(false);
    const expr = this.parseExpression();
    const close = this.read();
    if (this.types[close] !== ')') {
      throw unbalancedParentheses(this.tokens.range(close));
    }
    this.newlines = outer;
    return { kind: 'parens', expr, range: this.span(open, close) };
  }

  private parseNumber(token: number): Expr {
    return { kind: 'literal', value: this.numberOf(token, this.tokens.text(token)), range: this.tokens.range(token) };
  }

  /** The value of number token `token`, whose text is `text`. */
  private numberOf(token: number, text: string): Numeric {
    const value = numberValue(text);
    if (value === undefined) throw invalidNumber(this.tokens.range(token));
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
  protected parseForNames(context: ForContext): { keyVar: string | undefined; valueVar: string } {
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
      throw missingIndexBracket(this.tokens.range(close));
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
      throw chainedLegacyIndex(this.tokens.range(number), first, second, inSplat);
    }
    return { kind: 'index', key: this.numberOf(number, text), range: this.span(dot, number) };
  }

  /** `source[*]` followed by any traversal steps, which apply to each element. */
  private parseFullSplat(source: Expr, open: number): Expr {
    this.read(); // the star
    const close = this.read();
    if (this.types[close] !== ']') throw missingSplatBracket(this.tokens.range(close));
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
}

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
    throw forError(
      'expression',
      keyExpr,
      'Key expression is not valid when building a tuple.',
      'Remove "KEY =>" to build a list, or use braces {for ...} to build an object.',
    );
  }
  if (closer === ']' && ellipsis) {
    throw forError(
      'expression',
      ellipsis,
      'Grouping ellipsis (...) cannot be used when building a tuple.',
      'Remove the "..." or use braces {for ...} to build an object.',
    );
  }
  if (closer === '}' && !keyExpr) {
    throw forError(
      'expression',
      valueExpr,
      'Key expression is required when building an object.',
      'Write "KEY => VALUE" after the colon, or use brackets [for ...] to build a list.',
    );
  }
}
