/**
 * Splits a command template into argv the way a POSIX shell would split words (quotes and
 * backslashes), without ever running a shell: `{prompt}` is substituted inside the words,
 * so a prompt full of quotes, `$` or `;` reaches the program as one literal argument.
 */
import { SwitchboardError } from '../errors';

export function splitCommandLine(template: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < template.length && '"\\$`'.includes(template[i + 1]!)) word += template[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < template.length) {
      word += template[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new SwitchboardError('invalid_argument', `The command template has an unclosed ${quote} quote: ${template}`);
  if (inWord) words.push(word);
  return words;
}

/** Builds argv from a template; without a `{prompt}` placeholder the prompt becomes the last argument. */
export function expandTemplate(template: string, prompt: string): string[] {
  const words = splitCommandLine(template);
  if (words.length === 0) {
    throw new SwitchboardError('invalid_argument', 'The command template is empty.', 'Give a command such as --command "my-agent --task {prompt}".');
  }
  if (!template.includes('{prompt}')) return [...words, prompt];
  return words.map((w) => w.split('{prompt}').join(prompt));
}
