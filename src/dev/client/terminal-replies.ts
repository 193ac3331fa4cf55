/**
 * Replies a terminal writes to its input when a program queries it: the
 * cursor position (`ESC [ row ; col R`, which BusyBox's shell asks for at
 * every prompt), device status and attributes, window size, OSC colour and
 * DCS replies. A reply that arrives after the user left the process for the
 * monitor belongs to no one there: readline would take it for typed keys
 * (a stray `R` before the next command), so the monitor drops it.
 */

/** CPR, DSR, DA1/DA2/DA3, DECRPM, window reports (CSI … t), then OSC and DCS strings ended by BEL or ST. */
const REPLY = /\x1b\[\d+;\d+R|\x1b\[\d*n|\x1b\[[?>=][\d;]*c|\x1b\[\?[\d;]*\$y|\x1b\[\d+(?:;\d+)*t|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\/g;

/** The keys in `data` with every whole terminal reply taken out; `data` itself when it holds none. */
export function withoutTerminalReplies(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
  const keys = text.replace(REPLY, '');
  return keys.length === text.length ? data : Buffer.from(keys, 'latin1');
}
