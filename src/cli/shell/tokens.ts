/**
 * Splitting what the user typed: a line into words (quotes keep spaces in a
 * file name, a backslash escapes one character), and a script into commands
 * (newlines and `;` outside quotes separate them; `#` starts a comment line).
 */

export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export interface ScriptCommand {
  text: string;
  /** 1-based line of the script the command is on, for error messages. */
  line: number;
}

export function splitScript(script: string): ScriptCommand[] {
  const commands: ScriptCommand[] = [];
  script.split(/\r?\n/).forEach((text, i) => {
    if (/^\s*#/.test(text)) return;
    for (const part of splitOutsideQuotes(text, ';')) {
      if (part.trim() !== '') commands.push({ text: part.trim(), line: i + 1 });
    }
  });
  return commands;
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '\\') i++;
    else if (ch === sep) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
