/**
 * Text an agent printed for a terminal, made readable where no terminal draws it (an editor, a
 * notification, a record's reason): colours, cursor moves and window titles are escape sequences a
 * terminal obeys and hides, and elsewhere they show as boxes and `[31m` litter.
 */

/**
 * The escape sequences of ECMA-48 a terminal hides: OSC strings (`ESC ]` … BEL or `ESC \`), CSI
 * sequences (`ESC [` or the one-byte CSI, parameters, a final byte), and the short `ESC` forms
 * (character sets, keypad modes).
 */
const ESCAPES = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b[ -/]*[0-~]?/g;

/** The other control characters, but for tab, line feed and carriage return. */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** `text` without the escape sequences and control characters a terminal would not show as text. */
export function plainText(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}
