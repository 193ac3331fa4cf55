/**
 * Evaluation errors: BakeFileErrors with HCL's summary and detail (buildx
 * prints HCL's diagnostics), each with a fix.
 */
import { BakeFileError, type SourceRange } from '../../core/diagnostics.js';

/**
 * What to do about each kind of evaluation error, for the call sites that
 * have nothing more specific to say (every error a user sees carries a fix).
 */
const FIXES: Readonly<Record<string, string>> = {
  'Invalid splat': 'Use the splat symbol only inside a [*] or .* expression.',
  'Null condition': 'Make the condition true or false, e.g. coalesce(x, false).',
  'Incorrect condition type': 'Make the condition a comparison or a bool value.',
  'Inconsistent conditional result types': 'Make both results of the conditional the same type.',
  'Invalid operand': 'Give the operator values of the type it needs: numbers for arithmetic and comparisons, bools for &&, || and !.',
  'Operation failed': 'Check the operands: they must not be null.',
  'Iteration over null value': 'Iterate over a list or a map, e.g. coalesce(x, []).',
  'Iteration over non-iterable value': 'Iterate over a list or a map.',
  'Duplicate object key': 'Add ... after the value expression to group values by key, or make the keys unique.',
  "Invalid 'for' condition": 'Make the if clause a bool expression.',
  'Invalid object key': 'Make the key expression produce a string.',
  'Null value as key': 'Make the key a string, not null.',
  'Incorrect key type': 'Make the key a string.',
  'Ambiguous attribute key': 'Wrap the key in parentheses to use a reference, or in quotes for a literal name.',
  'Attempt to get attribute from null value': 'Check for null first, e.g. with a conditional or try().',
  'Unsupported attribute': 'Use an attribute the value has; check the spelling.',
  'Missing map element': 'Use a key the map has: for target.NAME or group.NAME, a block defined under that name (check the spelling).',
  'Attempt to index null value': 'Check for null first, e.g. with a conditional or try().',
  'Invalid index': 'Use a key or index that exists, or lookup()/try() with a default.',
  'Invalid expanding argument value': 'Expand a list: f(list...).',
  'Invalid function argument': 'Pass a value of the type this parameter takes.',
  'Error in function call': "Check the arguments against the function's documentation.",
  'Invalid type specification': 'Write a type such as string, number, bool, list(string) or map(number).',
  'Invalid params': 'Write params as a list of names: params = [name, tag].',
  'Invalid param element': 'Write each parameter as a bare name, not a string or an expression: params = [name, tag].',
};

export function evalError(summary: string, detail: string, range: SourceRange, fix: string | undefined = FIXES[summary]): BakeFileError {
  return new BakeFileError({ severity: 'error', summary, detail, range, ...(fix ? { fix } : {}) });
}
