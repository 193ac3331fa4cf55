/**
 * The HCL2 native-syntax tree with source ranges. Shapes follow hclsyntax so
 * that evaluation can mirror HCL's own semantics; JSON and TOML bake files are
 * converted into the same tree (bakefile/formats) so one evaluator serves all.
 */
import type { SourceRange } from '../../core/diagnostics.js';
import type { Value } from '../expr/value.js';

/** A file's top-level body, or a block's body. Items keep source order. */
export interface Body {
  readonly attributes: readonly Attribute[];
  readonly blocks: readonly Block[];
  /** From the opening brace to the closing brace (whole file for a file body). */
  readonly range: SourceRange;
}

export interface Attribute {
  readonly name: string;
  readonly nameRange: SourceRange;
  readonly expr: Expr;
  /** From the name to the end of the expression. */
  readonly range: SourceRange;
}

export interface Block {
  readonly type: string;
  readonly typeRange: SourceRange;
  readonly labels: readonly string[];
  readonly labelRanges: readonly SourceRange[];
  readonly body: Body;
  /** From the type name to the closing brace. */
  readonly range: SourceRange;
}

export interface File {
  readonly filename: string;
  readonly body: Body;
}

/** One step after a traversal root: `.name`, `[key]` with a literal key, or a legacy `.0`. */
export type Traverser =
  { readonly kind: 'attr'; readonly name: string; readonly range: SourceRange } | { readonly kind: 'index'; readonly key: Value; readonly range: SourceRange };

export type TemplatePart =
  | { readonly kind: 'literal'; readonly value: string; readonly range: SourceRange }
  | { readonly kind: 'interp'; readonly expr: Expr; readonly range: SourceRange }
  | {
      readonly kind: 'if';
      readonly condition: Expr;
      readonly then: readonly TemplatePart[];
      readonly else: readonly TemplatePart[] | undefined;
      readonly range: SourceRange;
    }
  | {
      readonly kind: 'for';
      readonly keyVar: string | undefined;
      readonly valueVar: string;
      readonly collection: Expr;
      readonly body: readonly TemplatePart[];
      readonly range: SourceRange;
    };

export type BinaryOperator = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';

export type Expr =
  /** Numbers, `true`, `false`, `null`. */
  | { readonly kind: 'literal'; readonly value: Value; readonly range: SourceRange }
  /**
   * A quoted string or heredoc. Strip markers (`~`) and heredoc indentation are
   * already applied to the literal parts by the parser.
   */
  | { readonly kind: 'template'; readonly parts: readonly TemplatePart[]; readonly range: SourceRange }
  /** A template that is exactly one interpolation, `"${x}"`: yields x's value unconverted, as HCL does. */
  | { readonly kind: 'templateWrap'; readonly wrapped: Expr; readonly range: SourceRange }
  /** `name`, `name.attr`, `name[0]`, `name.attr["k"]` with only static steps. */
  | {
      readonly kind: 'scopeTraversal';
      readonly root: string;
      readonly rootRange: SourceRange;
      readonly steps: readonly Traverser[];
      readonly range: SourceRange;
    }
  /** Static steps applied to any other expression, e.g. `f(x).a`, `[1,2][0]`. */
  | { readonly kind: 'relativeTraversal'; readonly source: Expr; readonly steps: readonly Traverser[]; readonly range: SourceRange }
  /** `collection[key]` where key is not a literal. */
  | { readonly kind: 'index'; readonly collection: Expr; readonly key: Expr; readonly range: SourceRange }
  | {
      readonly kind: 'functionCall';
      readonly name: string;
      readonly nameRange: SourceRange;
      readonly args: readonly Expr[];
      /** The final argument was followed by `...`. */
      readonly expandFinal: boolean;
      readonly range: SourceRange;
    }
  | { readonly kind: 'conditional'; readonly condition: Expr; readonly trueResult: Expr; readonly falseResult: Expr; readonly range: SourceRange }
  | { readonly kind: 'binaryOp'; readonly op: BinaryOperator; readonly lhs: Expr; readonly rhs: Expr; readonly range: SourceRange }
  | { readonly kind: 'unaryOp'; readonly op: '!' | '-'; readonly operand: Expr; readonly range: SourceRange }
  | { readonly kind: 'tuple'; readonly items: readonly Expr[]; readonly range: SourceRange }
  | { readonly kind: 'object'; readonly items: readonly ObjectItem[]; readonly range: SourceRange }
  /**
   * `source[*].a.b` (full splat) or `source.*.a` (attribute-only splat). `each`
   * is evaluated once per element with the `anonSymbol` standing for it.
   */
  | { readonly kind: 'splat'; readonly source: Expr; readonly each: Expr; readonly range: SourceRange }
  | { readonly kind: 'anonSymbol'; readonly range: SourceRange }
  | {
      readonly kind: 'for';
      readonly keyVar: string | undefined;
      readonly valueVar: string;
      readonly collection: Expr;
      /** Present for `{ for ... : k => v }`; absent for `[ for ... : v ]`. */
      readonly keyExpr: Expr | undefined;
      readonly valueExpr: Expr;
      readonly condition: Expr | undefined;
      /** `...` after the value in an object for: values with equal keys group into lists. */
      readonly group: boolean;
      readonly range: SourceRange;
    }
  | { readonly kind: 'parens'; readonly expr: Expr; readonly range: SourceRange };

/**
 * An object constructor item. A bare identifier key (`foo = 1`) is the string
 * "foo", not a variable; wrap it in parens to use a variable, as HCL does.
 */
export interface ObjectItem {
  readonly key: Expr;
  /** True when the key was a bare identifier and so means its own name. */
  readonly keyIsBareName: boolean;
  readonly value: Expr;
}
