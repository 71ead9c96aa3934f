/**
 * Finds the fenced code blocks of a Markdown document and the `<!-- example: … -->` directives
 * written on the lines right above each fence (the convention is described in examples.test.ts).
 */

/** Languages whose blocks are run, by runner. */
export const runnableLanguages = {
  sh: "sh",
  bash: "bash",
  js: "js",
  javascript: "js",
  ts: "ts",
  typescript: "ts",
  python: "python",
  py: "python",
} as const;
export type Runner = (typeof runnableLanguages)[keyof typeof runnableLanguages];

/** Languages of data and output: never run (json is parsed). An untagged fence is a diagram or text. */
export const dataLanguages = new Set(["", "text", "json", "console", "properties", "ini", "dockerfile", "yaml", "yml", "diff", "http", "sql"]);

export type Directive =
  | { kind: "skip"; reason: string }
  | { kind: "server" }
  | { kind: "file"; name: string }
  | { kind: "stdout-includes"; text: string };

export interface Block {
  /** The document, as given (relative to the repository root). */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's info string, lowercased first word ("" when untagged). */
  language: string;
  /** The block's text with the fence's indentation removed, ending in a newline. */
  code: string;
  directives: Directive[];
  /** Problems with the directives (unknown directive, skip without a reason): the block's test fails with them. */
  directiveErrors: string[];
  /** Index of the section (text between two headings) the block is in. */
  section: number;
}

const directivePattern = /^\s*<!--\s*example:\s*(.*?)\s*-->\s*$/;

export function parseDirective(text: string): Directive | string {
  const skip = /^skip(?:\s*[—–:-]\s*|\s+)(.*)$/.exec(text);
  if (skip) return skip[1]!.trim() === "" ? "a skip needs a reason: <!-- example: skip — <reason> -->" : { kind: "skip", reason: skip[1]!.trim() };
  if (text === "skip") return "a skip needs a reason: <!-- example: skip — <reason> -->";
  if (text === "server") return { kind: "server" };
  const file = /^file\s+(\S+)$/.exec(text);
  if (file) {
    const name = file[1]!;
    if (name.startsWith("/") || name.split("/").includes("..")) return `file name must stay inside the example's directory: ${name}`;
    return { kind: "file", name };
  }
  const output = /^stdout-includes\s+(.+)$/.exec(text);
  if (output) return { kind: "stdout-includes", text: output[1]! };
  return `unknown example directive "${text}" (known: skip — <reason>, server, file <name>, stdout-includes <text>)`;
}

export function extractBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  let section = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (/^#{1,6}\s/.test(line)) {
      section++;
      continue;
    }
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$/.exec(line);
    if (!open) continue;
    const [, indent, fence, language] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let end = index + 1;
    const closing = new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    while (end < lines.length && !closing.test(lines[end]!)) {
      const text = lines[end]!;
      body.push(text.startsWith(indent) ? text.slice(indent.length) : text.trimStart());
      end++;
    }
    const directives: Directive[] = [];
    const directiveErrors: string[] = [];
    for (let above = index - 1; above >= 0; above--) {
      const match = directivePattern.exec(lines[above]!);
      if (!match) break;
      const parsed = parseDirective(match[1]!);
      if (typeof parsed === "string") directiveErrors.push(parsed);
      else directives.unshift(parsed);
    }
    blocks.push({ file, line: index + 1, language: language.toLowerCase(), code: body.join("\n") + "\n", directives, directiveErrors, section });
    index = end;
  }
  return blocks;
}
