// Package escpos drives ESC/POS receipt printers: it lays out receipts (Document, Compile) for a
// printer's profile, and prints them on a serial or USB printer-class line (Open, Print) saying as
// exactly as the printer allows whether the receipt came out.
//
// Printers do not all answer the same questions. Print learns what a printer answers (Probe, or
// the first print) unless the device address says it (status=full|realtime|none):
//
//   - full: DLE EOT and GS r. Every chunk is confirmed; a failure is a PrintError that says how
//     much was confirmed.
//   - realtime: DLE EOT only, as on many low-cost clones. Chunks are paced by line time and RTS/CTS,
//     the status is asked between chunks and after the job; a fault is a PrintError.
//   - none: no back channel. Chunks are paced by line time and the outcome is SentUnconfirmed,
//     never Printed; paper-out cannot be detected.
package escpos
