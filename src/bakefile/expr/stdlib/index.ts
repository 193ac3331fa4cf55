/**
 * The functions buildx gives bake files (bake/hclparser/stdlib.go), by name.
 * `try` and `can` are not here: they need unevaluated arguments, so the
 * evaluator handles them itself. Neither is `convert`: its second argument
 * is a type expression, which only the evaluator can read.
 */
import type { BakeFunction } from '../function.js';
import { BYTES_FUNCTIONS } from './bytes.js';
import { COLLECTION_FUNCTIONS } from './collections.js';
import { CRYPTO_FUNCTIONS } from './crypto.js';
import { DATETIME_FUNCTIONS } from './datetime.js';
import { ENCODING_FUNCTIONS } from './encoding.js';
import { FORMAT_FUNCTIONS } from './format.js';
import { LOGIC_FUNCTIONS } from './logic.js';
import { NETWORK_FUNCTIONS } from './network.js';
import { NUMBER_FUNCTIONS } from './numbers.js';
import { PATH_FUNCTIONS } from './paths.js';
import { REGEX_FUNCTIONS } from './regex.js';
import { SEMVER_FUNCTIONS } from './semver.js';
import { SET_FUNCTIONS } from './sets.js';
import { STRING_FUNCTIONS } from './strings.js';

export const STDLIB: ReadonlyMap<string, BakeFunction> = new Map(
  [
    BYTES_FUNCTIONS,
    COLLECTION_FUNCTIONS,
    CRYPTO_FUNCTIONS,
    DATETIME_FUNCTIONS,
    ENCODING_FUNCTIONS,
    FORMAT_FUNCTIONS,
    LOGIC_FUNCTIONS,
    NETWORK_FUNCTIONS,
    NUMBER_FUNCTIONS,
    PATH_FUNCTIONS,
    REGEX_FUNCTIONS,
    SEMVER_FUNCTIONS,
    SET_FUNCTIONS,
    STRING_FUNCTIONS,
  ].flatMap((family) => Object.entries(family)),
);
