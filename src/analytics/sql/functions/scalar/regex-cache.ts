/**
 * Compiled Java patterns for the functions that take one: compiled once when the pattern is a
 * constant (a bad constant pattern still fails per row, as the service reports it in error_stream),
 * otherwise through a small cache so a column of few distinct patterns does not recompile per row.
 */
import { translateJavaRegex, type JavaRegex } from "./java-regex.js";
import { errorNames, rowError } from "./errors.js";

const cacheEntriesMax = 64;

export interface CompiledPattern {
  java: JavaRegex;
  /** Global, for scanning matches (REGEX_REPLACE, SUBSTRING FROM). */
  global: RegExp;
  /** Anchored at both ends, for Matcher.matches() (REGEX_LOG_PARSE). */
  whole: RegExp;
}

function compile(pattern: string): CompiledPattern {
  const java = translateJavaRegex(pattern);
  return {
    java,
    global: new RegExp(java.source, java.flags + "g"),
    whole: new RegExp(`(?<![\\s\\S])(?:${java.source})(?![\\s\\S])`, java.flags),
  };
}

/** Compiles a pattern; a bad one throws the row error. */
export function compilePattern(pattern: string): CompiledPattern {
  try {
    return compile(pattern);
  } catch (error) {
    throw rowError(errorNames.invalidRegex, (error as Error).message);
  }
}

/** Returns a function from pattern text to its compiled form: fixed for a constant, cached otherwise. */
export function patternSource(constant: string | undefined): (pattern: string) => CompiledPattern {
  if (constant !== undefined) {
    let compiled: CompiledPattern | undefined;
    let failure: unknown;
    try {
      compiled = compilePattern(constant);
    } catch (error) {
      failure = error;
    }
    return (pattern) => {
      if (pattern !== constant) return compilePattern(pattern);
      if (compiled === undefined) throw failure;
      return compiled;
    };
  }
  const cache = new Map<string, CompiledPattern>();
  return (pattern) => {
    let compiled = cache.get(pattern);
    if (compiled === undefined) {
      compiled = compilePattern(pattern);
      if (cache.size >= cacheEntriesMax) cache.delete(cache.keys().next().value!);
      cache.set(pattern, compiled);
    }
    return compiled;
  };
}
