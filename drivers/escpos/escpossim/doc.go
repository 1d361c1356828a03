// Package escpossim is a virtual ESC/POS thermal printer for tests, the demo and technicians:
// it interprets the bytes a host sends the way a real printer does and prints them onto paper
// images (PNG, 1 px per dot, white paper, black dots).
//
// # Using it
//
//   - Printer is the printer: Write takes the host's bytes, Replies gives the bytes the printer
//     sends back. SetPaperOut, SetPaperOutAfter, SetNearEnd, SetCoverOpen, SetOffline and
//     SetCutterJam inject faults; Receipts, Unknown and Status show what happened.
//     Config.IgnoreGSr makes it a low-cost clone that answers DLE EOT but not GS r,
//     Config.OneWay a printer with no back channel at all. Config.Maker and Config.Model are the
//     names it gives to GS I.
//   - Serve puts a Printer at the far end of a pseudo-terminal (serial.NewPTY), so the program
//     under test opens a path such as /run/tramso/printer exactly like a real serial printer.
//     Simulator.Unplug closes the line as if the cable were pulled.
//   - Emulate decodes a recorded byte stream offline into one page per cut plus the uncut rest.
//
// Every cut (GS V, ESC i, ESC m) ends a receipt, written to Config.OutDir as receipt-0001.png,
// receipt-0002.png, …; a piece that was not cut (paper ran out, or torn off when the simulator
// stops) is written as receipt-NNNN-partial.png. The image holds the printed length only.
//
// # How it is built
//
// As in a printer, three parts share one lock: the receiver (receiver.go: the receive buffer,
// real-time commands matched as bytes arrive, bytes lost to a full buffer, the back channel), the
// interpreter (interp.go, commands.go, graphics.go, symbols.go: the modes ESC @ resets, text,
// images, QR codes; commands are a table of prefix, length and handler) and the mechanism
// (mechanism.go: paper, sensors, faults, cutter, status replies). Receipt PNG files are written
// after the lock is released, so a slow disk never delays the answer to a real-time command.
//
// # What is simulated
//
// The printer has a receive buffer (Config.BufferBytes, 4096 by default) and a 203 dpi head
// Config.PaperDots wide (576 for 80 mm, 384 for 58 mm). Its state is alignment, emphasis,
// underline, reverse, ESC ! mode, GS ! size, font A (12×24) or B (9×17), code table, Kanji mode,
// left margin and print width, line spacing, tab stops and the text line buffer.
//
// Commands understood: ESC @, ESC =, ESC c 0/1/3/4/5, ESC t, ESC !, ESC E, ESC G, ESC -, ESC M,
// ESC a, ESC d, ESC J, ESC e, ESC 2, ESC 3, ESC SP, ESC $, ESC \, ESC D, ESC *, ESC p, ESC i,
// ESC m, ESC { / ESC V (accepted, not drawn), FS . and FS & (Kanji mode: byte pairs print as
// double-width boxes), FS !, FS -, FS C, FS S, FS W and FS ( A function 48 (Kanji print mode,
// underline, code system, spacing, size and font: accepted; other FS ( functions are skipped whole
// and reported), GS !, GS B, GS L, GS W, GS P, GS V (functions A, B, D cut; C accepted),
// GS v 0 (all four scales), GS ( L and GS 8 L (function 112 store, 50 print), GS ( k QR code
// (functions 165, 167, 169, 180, 181, 182; drawn with github.com/skip2/go-qrcode without quiet
// zone, as printers do), GS ( D, GS k (drawn as a placeholder box of the right height with its
// human-readable text), GS h, GS w, GS H, GS f, GS r 1/2, GS a, GS I (transmit printer ID:
// n = 1/49 model ID, 2/50 type ID, 66 maker and 67 model name as a block 5F … 00, 65/68/69 the
// empty block 5F 00; other n unanswered and reported), LF, CR (ignored), HT.
// Characters are drawn from DejaVu Sans Mono (Debian fonts-dejavu-core) thresholded to one bit,
// with the Vietnamese letters it lacks taken from DejaVu Sans and narrowed to the cell;
// bytes 0x80–0xFF are decoded through the current code table (package codepage), so text sent
// in TCVN-3 (ESC t 30 / 31) prints as Vietnamese.
//
// Real-time commands are matched as the bytes arrive, before the buffer, so they are answered
// even while the printer is stopped, when the buffer is full, and inside image data (where a
// real printer answers them too, and then also reads them as image bytes):
// DLE EOT 1–4 (status byte 0xx1xx10; all clear 0x12; paper end 0x72, 0x7E with near end),
// DLE ENQ 1/2 and DLE DC4 8 (2 and DC4 8 clear the buffers; DC4 8 answers 37 25 00; ENQ 1 and 2
// recover from an autocutter error once its jam is cleared, and do nothing while it is jammed).
// GS r and GS I are answered only when the interpreter reaches them, so a stopped printer does
// not answer them. GS a enables automatic status back: the 4-byte message is sent at once and again on
// every change of an enabled status.
//
// As on Epson printers, in standard mode GS V, ESC i/m, GS v 0, GS ( L print, GS ( k print and
// GS k work only at the beginning of a line: with text pending in the line buffer they are
// ignored and reported. Text left in the line buffer without LF is not printed.
//
// Faults: while the paper is out, the cover is open, the printer is offline or has an autocutter
// error (DLE EOT 2 bit 6, DLE EOT 3 bit 3, ASB byte 2 bit 3), or near end is
// reported and ESC c 4 asked to stop on it, the printer does not process print data; it keeps
// receiving into the buffer, loses (and counts) what does not fit, and answers DLE EOT. When the
// fault clears it resumes from the buffer. When the paper runs out mid-receipt the paper shows
// what was printed up to then; that piece is torn off as a partial receipt when new paper is
// loaded or the simulator stops.
//
// Unknown or malformed commands are recorded (offset, bytes, reason; see Unknown) and the
// interpreter resynchronises as a printer does: it skips only the prefix byte, so the rest of a
// bad command prints as text, which makes the mistake visible on the paper. Commands of a known
// family with a length field (GS ( x pL pH …) are skipped whole. Nothing grows without bound on
// hostile input: images are clipped to the paper, a strip between two cuts is capped at
// Config.MaxPaperDots, and payloads are streamed, never held whole.
//
// # Checked by a client we did not write
//
// receiptio (npm, pinned in tools/escpos) judges real receipt printers by their answers; the
// tests run it against the simulator over its pty, bridged to TCP port 9100 (receiptio_test.go):
// its status inquiry reads DLE EOT 2 as online, paper empty or cover open; its print identifies the
// printer by GS I, enables ASB, sends receiptline's ESC/POS and succeeds on the GS r answer; the
// clone makes it time out, the one-way printer and an offline one make it say offline. Our own
// driver's probe must reach the same conclusion about what each printer answers.
package escpossim
