/**
 * Classifies and parses bake files into HCL trees (HCL, JSON, TOML) and the
 * compose base config, as buildx's ParseFiles does: a file that looks like
 * compose is compose; otherwise the extension decides, and a file with no
 * known extension is tried as HCL, then JSON.
 */
import { BakeFileError } from '../core/diagnostics.js';
import type { File } from './hcl/ast.js';
import { parseHCL } from './hcl/parser.js';
import type { BaseConfig } from './evaluate.js';
import type { ComposeEnvironment } from './formats/compose.js';

export interface SourceFile {
  /** The name users see in messages: as given with -f, or the discovered file name. */
  readonly filename: string;
  readonly text: string;
}

export interface ParsedSources {
  readonly files: File[];
  readonly base: BaseConfig;
}

/** Format readers other than HCL load on demand, so an HCL-only run never pays for YAML, JSON or TOML parsers. */
export async function parseSources(sources: readonly SourceFile[], env: ComposeEnvironment): Promise<ParsedSources> {
  const files: File[] = [];
  const compose: SourceFile[] = [];
  const composeReader = sources.some((s) => !/\.(hcl|json|toml)$/i.test(s.filename)) ? await import('./formats/compose.js') : undefined;
  for (const source of sources) {
    if (composeReader?.isComposeFile(source.filename, source.text, env)) compose.push(source);
    else files.push(await parseBakeFile(source));
  }
  const base = composeReader && compose.length ? composeReader.readCompose([...compose], env) : { groups: [], targets: [], services: [] };
  return { files, base };
}

async function parseBakeFile({ filename, text }: SourceFile): Promise<File> {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.json')) return (await import('./formats/json.js')).parseJsonBakeFile(filename, text);
  if (lower.endsWith('.toml')) return (await import('./formats/toml.js')).parseTomlBakeFile(filename, text);
  if (lower.endsWith('.hcl') || !/^\s*[{[]/.test(text)) return parseHCL(filename, text);
  try {
    return (await import('./formats/json.js')).parseJsonBakeFile(filename, text);
  } catch (e) {
    if (e instanceof BakeFileError) return parseHCL(filename, text);
    throw e;
  }
}
