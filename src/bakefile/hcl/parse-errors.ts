/**
 * The HCL parser's diagnostics: each syntax error it can throw, with HCL's
 * summary and detail (hclsyntax's wording, so messages match buildx's) and a
 * fix. The parser modules decide where an error is; these say what it is.
 */
import { bakeError, rangeBetween, type BakeFileError, type SourceRange } from '../../core/diagnostics.js';
import { nameSuggestion } from '../../core/suggest.js';
import type { Attribute } from './ast.js';
import { rangeText } from './range-text.js';
import type { Token, TokenList } from './tokenizer.js';

/** What may start a %{ directive: a misspelt one gets the nearest as a suggestion. */
const TEMPLATE_KEYWORDS = ['if', 'for', 'else', 'endif', 'endfor'];

/** Where a `for` is: a `[for ...]`/`{for ...}` expression or a `%{for}` template directive (HCL words their errors apart). */
export type ForContext = 'expression' | 'directive';

/** HCL's details for malformed names in `[for ...]` and `%{for ...}`. */
export const FOR_NAME_ERRORS: Readonly<Record<ForContext, { readonly name: string; readonly valueName: string; readonly in: string }>> = {
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

function syntaxError(summary: string, range: SourceRange, detail: string, fix: string): BakeFileError {
  return bakeError(summary, range, fix, detail);
}

export function nestingTooDeep(at: SourceRange, limit: number): BakeFileError {
  return syntaxError(
    'Nesting too deep',
    at,
    `This is nested more than ${limit} levels deep.`,
    'Flatten the structure, for example by moving inner parts into variables.',
  );
}

export function bodyItemError(token: Token, open: Token | undefined): BakeFileError {
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

export function argumentOrBlockRequired(name: Token, afterName: boolean): BakeFileError {
  return syntaxError(
    'Argument or block definition required',
    name.range,
    afterName
      ? 'An argument or block definition is required here. To set an argument, use the equals sign "=" to introduce the argument value.'
      : 'An argument or block definition is required here.',
    afterName ? `Write "${name.text} = <value>" to set an argument, or "${name.text} {" to open a block.` : 'Start with an argument name followed by "=".',
  );
}

export function attributeRedefined(attribute: Attribute, earlier: Attribute): BakeFileError {
  return syntaxError(
    'Attribute redefined',
    attribute.nameRange,
    `The argument ${JSON.stringify(attribute.name)} was already set at ${rangeText(earlier.nameRange)}. Each argument may be set only once.`,
    `Remove one of the two definitions of "${attribute.name}".`,
  );
}

export function missingNewline(end: Token, what: 'argument' | 'block'): BakeFileError {
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

export function invalidBlockDefinition(token: Token): BakeFileError {
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

export function singleLineBlockEndError(token: Token, open: Token): BakeFileError {
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
  return syntaxError(
    'Invalid single-argument block definition',
    token.range,
    detail,
    'Put each argument on its own line between the braces, or close the one-line block with "}" right after its argument.',
  );
}

export function functionCallSeparatorError(separator: Token, name: Token, open: Token): BakeFileError {
  if (separator.type === 'eof') {
    return syntaxError(
      'Unterminated function call',
      rangeBetween(name.range, open.range),
      'There is no closing parenthesis for this function call before the end of the file. This may be caused by incorrect parenthesis nesting elsewhere in this file.',
      'Add the missing ")" after the last argument.',
    );
  }
  return syntaxError(
    'Missing argument separator',
    separator.range,
    'A comma is required to separate each function argument from the next.',
    'Separate the arguments with commas.',
  );
}

export function misplacedExpansion(ellipsis: Token): BakeFileError {
  return syntaxError(
    'Missing closing parenthesis',
    ellipsis.range,
    'An expanded function argument (with ...) must be immediately followed by closing parentheses.',
    'Use "..." only after the last argument, right before ")".',
  );
}

export function tupleSeparatorError(next: Token, open: Token): BakeFileError {
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

export function keyValueSeparatorError(next: Token, open: Token): BakeFileError {
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

export function objectSeparatorError(next: Token, open: Token): BakeFileError {
  if (next.type === 'eof') return unterminatedObject(open);
  return syntaxError(
    'Missing attribute separator',
    next.range,
    'Expected a newline or comma to mark the beginning of the next attribute.',
    'Separate the object attributes with commas or line breaks.',
  );
}

export function unterminatedObject(open: Token): BakeFileError {
  return syntaxError(
    'Unterminated object constructor expression',
    open.range,
    'There is no corresponding closing brace before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.',
    'Add the missing "}" after the last attribute.',
  );
}

export function forError(context: ForContext, at: { readonly range: SourceRange }, detail: string, fix?: string): BakeFileError {
  return syntaxError(
    context === 'expression' ? "Invalid 'for' expression" : "Invalid 'for' directive",
    at.range,
    detail,
    fix ??
      (context === 'expression'
        ? 'Write it as [for VALUE in LIST : RESULT] or {for KEY, VALUE in MAP : KEY => RESULT}.'
        : 'Write it as %{ for VALUE in LIST }...%{ endfor }.'),
  );
}

export function invalidAttributeName(token: Token): BakeFileError {
  return syntaxError(
    'Invalid attribute name',
    token.range,
    'An attribute name is required after a dot.',
    'Write an attribute name after the dot, or remove the dot.',
  );
}

export function nestedSplat(token: Token): BakeFileError {
  return syntaxError(
    'Nested splat expression not allowed',
    token.range,
    'A splat expression (*) cannot be used inside another attribute-only splat expression.',
    'Use the full splat form, like list[*].items[*].name.',
  );
}

export function interpolationEndError(close: Token, open: Token, quoted: boolean): BakeFileError {
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

export function invalidControlKeyword(keyword: Token): BakeFileError {
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

export function missingEndDirective(kind: 'if' | 'for', end: 'endif' | 'endfor', openRange: SourceRange, endRange: SourceRange): BakeFileError {
  return syntaxError(
    'Unexpected end of template',
    endRange,
    `The ${kind} directive at ${rangeText(openRange)} is missing its corresponding ${end} directive.`,
    `Add %{${end}} where the ${kind} section should end.`,
  );
}

/** The string or heredoc never closed; for a heredoc whose marker line lacks a final line break, say so. */
export function unterminatedTemplate(open: Token, tokens: TokenList): BakeFileError {
  if (open.type === 'oquote') {
    return syntaxError(
      'Unterminated template string',
      open.range,
      'No closing marker was found for the string.',
      'Add the closing quote (") at the end of the string.',
    );
  }
  const marker = open.text.replace(/^<<-?/, '');
  const lastLiteral = tokens.types.length - 2;
  const markerWithoutNewline = tokens.types[lastLiteral] === 'stringLit' && tokens.text(lastLiteral).trim() === marker;
  return syntaxError(
    'Unterminated template string',
    open.range,
    markerWithoutNewline
      ? `No closing marker was found for the string: the closing ${marker} must be followed by a line break.`
      : 'No closing marker was found for the string.',
    markerWithoutNewline ? `Add a line break after the final ${marker}.` : `Add a line holding only ${marker} to end the heredoc.`,
  );
}

export function extraCharactersAfterExpression(range: SourceRange): BakeFileError {
  return syntaxError(
    'Extra characters after expression',
    range,
    'An expression was successfully parsed, but extra characters were found after it.',
    'Remove the extra characters, or combine them into the expression with an operator.',
  );
}

/** `name` is followed by a label or brace inside a one-line block: a nested block where only one argument may be. */
export function nestedBlockInSingleLineBlock(range: SourceRange, name: string): BakeFileError {
  return syntaxError(
    'Argument definition required',
    range,
    `A single-line block definition can contain only a single argument. If you meant to define argument ${JSON.stringify(name)}, use an equals sign to assign it a value. To define a nested block, place it on a line of its own within its parent block.`,
    'Put the nested block on its own line inside its parent block.',
  );
}

/** A `${` or `%{` (`mark` is `$` or `%`) inside a quoted block label. */
export function templateSequenceInLabel(range: SourceRange, mark: '$' | '%'): BakeFileError {
  return syntaxError(
    'Invalid string literal',
    range,
    `Template sequences are not allowed in this string. To include a literal "${mark}", double it (as "${mark}${mark}") to escape it.`,
    `Write "${mark}${mark}{" for a literal "${mark}{", or use a plain label without template sequences.`,
  );
}

export function unterminatedLabel(open: SourceRange): BakeFileError {
  return syntaxError(
    'Unterminated string literal',
    open,
    'Unable to find the closing quote mark before the end of the file.',
    'Add the closing quote (") after the label.',
  );
}

export function missingFalseExpression(range: SourceRange): BakeFileError {
  return syntaxError(
    'Missing false expression in conditional',
    range,
    'The conditional operator (...?...:...) requires a false expression, delimited by a colon.',
    'Add ": <value if false>" after the value if true.',
  );
}

/** No expression starts at `token`; `heredocLike` when it is `<<` not followed by a line break. */
export function invalidExpression(token: Token, heredocLike: boolean): BakeFileError {
  if (token.type === 'eof') {
    return syntaxError(
      'Missing expression',
      token.range,
      'Expected the start of an expression, but found the end of the file.',
      'Write a value here, such as a quoted string, a number, a list [...] or an object {...}.',
    );
  }
  return syntaxError(
    'Invalid expression',
    token.range,
    heredocLike
      ? 'Expected the start of an expression, but found an invalid expression token. A heredoc marker like <<EOT must be followed directly by a line break.'
      : 'Expected the start of an expression, but found an invalid expression token.',
    heredocLike
      ? 'End the line right after the heredoc marker and start the text on the next line.'
      : 'Write a value here, such as a quoted string, a number, a list [...] or an object {...}.',
  );
}

export function unbalancedParentheses(range: SourceRange): BakeFileError {
  return syntaxError('Unbalanced parentheses', range, 'Expected a closing parenthesis to terminate the expression.', 'Add the missing ")".');
}

export function invalidNumber(range: SourceRange): BakeFileError {
  return syntaxError(
    'Invalid number literal',
    range,
    'Failed to recognize the value of this number literal.',
    'Write the number in decimal notation, like 42, 1.5 or 1e3.',
  );
}

export function missingIndexBracket(range: SourceRange): BakeFileError {
  return syntaxError('Missing close bracket on index', range, 'The index operator must end with a closing bracket ("]").', 'Add the missing "]".');
}

/** `.0.1`: two legacy indexes in one number token (`first` and `second`), after a splat when `inSplat`. */
export function chainedLegacyIndex(range: SourceRange, first: string, second: string, inSplat: boolean): BakeFileError {
  return syntaxError(
    'Invalid legacy index syntax',
    range,
    inSplat
      ? `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax with a full splat expression [*] instead, like [${first}][${second}].`
      : `When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [${first}][${second}].`,
    `Write the indexes in brackets, like [${first}][${second}].`,
  );
}

export function missingSplatBracket(range: SourceRange): BakeFileError {
  return syntaxError(
    'Missing close bracket on splat index',
    range,
    'The star for a full splat operator must be immediately followed by a closing bracket ("]").',
    'Write the splat as [*].',
  );
}

export function invalidDirective(range: SourceRange): BakeFileError {
  return syntaxError(
    'Invalid template directive',
    range,
    'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
    'Start the directive with if, else, endif, for or endfor, or write "%%{" for a literal "%{".',
  );
}

/** Something other than `}` after the `word` directive's content. */
export function extraCharactersInMarker(range: SourceRange, word: string): BakeFileError {
  return syntaxError(
    `Extra characters in ${word} marker`,
    range,
    'Expected a closing brace to end the sequence, but found extra characters.',
    `Close the ${word} directive with "}".`,
  );
}

/** An else, endif or endfor outside any if or for. */
export function unbalancedDirective(kind: string, range: SourceRange): BakeFileError {
  return unexpectedDirective(kind, range, 'The control directives within this template are unbalanced.');
}

export function secondElse(range: SourceRange, ifRange: SourceRange): BakeFileError {
  return unexpectedDirective('else', range, `Already in the else clause for the if started at ${rangeText(ifRange)}.`);
}

export function endforInIf(range: SourceRange, ifRange: SourceRange): BakeFileError {
  return unexpectedDirective('endfor', range, `Expecting an endif directive for the if started at ${rangeText(ifRange)}.`);
}

export function elseInFor(range: SourceRange): BakeFileError {
  return unexpectedDirective('else', range, 'An else clause is not expected for a for directive.');
}

export function endifInFor(range: SourceRange, forRange: SourceRange): BakeFileError {
  return unexpectedDirective('endif', range, `Expecting an endfor directive corresponding to the for directive at ${rangeText(forRange)}.`);
}
