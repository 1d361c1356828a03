package escpos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tramso/tramso/internal/errtext"
)

// Outcome says whether a receipt came out of the printer.
type Outcome int

// Outcomes of a print.
const (
	NotPrinted    Outcome = iota // nothing was sent, or the printer refused the job before printing
	PartlyPrinted                // the job started but did not finish: the receipt must be reprinted
	Printed                      // the printer confirmed the whole job (see Result.Confirmed)
	// SentUnconfirmed is a job sent whole to a printer that cannot answer (StatusMode none): it
	// was never confirmed, and a paper-out or a jam would have gone unnoticed. It is not Printed.
	SentUnconfirmed
)

func (o Outcome) String() string {
	switch o {
	case Printed:
		return "đã in (printed)"
	case PartlyPrinted:
		return "in dở, cần in lại (partly printed: reprint)"
	case SentUnconfirmed:
		return "đã gửi, máy in không xác nhận được (sent, not confirmed by the printer)"
	}
	return "chưa in (not printed)"
}

// ErrUnconfirmed is for callers that must turn a SentUnconfirmed outcome into an error they pass
// on (Print itself returns it with a nil error): the job went out, nobody knows whether it printed.
var ErrUnconfirmed = errors.New("đã gửi biên nhận nhưng máy in không xác nhận được là đã in (receipt sent, but the printer cannot confirm it printed)")

// Result is what happened to a print job.
type Result struct {
	Outcome Outcome
	Mode    StatusMode // how the job was sent and checked: full, realtime or none
	Total   int        // bytes in the job
	Sent    int        // bytes written to the line
	// Confirmed is how much of the job the printer confirmed. With full status it is the bytes
	// the printer reported processed (GS r markers); with real-time status only it is all of the
	// job once a status after it showed no fault, and 0 before; without status it is always 0.
	Confirmed int
	Before    Status   // status before the job (the zero Status when the printer has none)
	After     *Status  // status after the job, when the printer answered
	Warnings  []string // e.g. paper near end, or that nothing could be confirmed
}

// PrintError is a print that did not complete; Result says exactly how far it got. Its text is one
// bilingual sentence: the cause's (Err) when nothing was printed, else the partial print's with
// the cause in English.
type PrintError struct {
	Result Result
	Err    error
}

func (e *PrintError) Error() string {
	r := e.Result
	switch r.Outcome {
	case NotPrinted:
		if len(errtext.Sentences(e.Err.Error())) == 0 { // a context's end, an unexpected I/O error
			return "chưa in được biên nhận (receipt not printed): " + e.Err.Error()
		}
		return fmt.Sprintf("receipt not printed: %v", e.Err) // e.Err carries the sentence: why
	default:
		pct := 0
		if r.Total > 0 {
			pct = r.Confirmed * 100 / r.Total
		}
		// The sentence is the outcome, which only Print knows: why it stopped is English detail.
		return fmt.Sprintf("biên nhận in dở (%d%% đã xác nhận), cần in lại (receipt partly printed, %d%% confirmed: reprint it): %s",
			pct, pct, errtext.English(e.Err.Error()))
	}
}

func (e *PrintError) Unwrap() error { return e.Err }

// warnUnconfirmed is the warning of every print on a printer without status.
const warnUnconfirmed = "máy in không báo trạng thái: không biết biên nhận đã ra hay chưa, hết giấy cũng không phát hiện được (the printer reports no status: whether the receipt came out is unknown, and paper-out cannot be detected)"

// Print sends a job and reports as exactly as the printer allows whether it printed.
//
// It first asks the printer's status and refuses to start on one that is offline, open or out of
// paper. The job goes out in chunks no larger than half the printer's buffer, split at safe points
// (Breaks), and how they are checked depends on what the printer answers (Mode; a printer whose
// mode is not known yet is probed first):
//
//   - full: each chunk is followed by an in-order status marker (GS r 1), and never more than two
//     chunks are unconfirmed, so a printer that stops can lose nothing the host does not know about;
//   - realtime (DLE EOT only): each chunk is paced by its line time (and by RTS/CTS where the line
//     has it), the printer's status is asked between chunks and after the job;
//   - none: chunks are paced by line time, and the outcome is SentUnconfirmed with a nil error:
//     never Printed.
//
// When a printer with status stops mid-job, the rest of its buffer is cleared so half a receipt
// does not come out when the paper is replaced, and the PrintError says how far it got.
func (pr *Printer) Print(ctx context.Context, job []byte) (Result, error) {
	res := Result{Total: len(job), Mode: pr.Mode()}
	if res.Mode == StatusNone && pr.Forced() {
		return pr.printBlind(ctx, job, res)
	}
	if err := pr.drainInput(); err != nil {
		return res, &PrintError{res, err}
	}
	st, err := pr.query(ctx)
	if err != nil {
		if errors.Is(err, ErrNoReply) && !pr.Forced() && pr.learned != StatusFull && pr.learned != StatusRealtime {
			// Nothing answers, and nothing ever did: a one-way printer (or one that is off,
			// which a one-way printer cannot be told apart from).
			pr.learned = StatusNone
			res.Mode = StatusNone
			return pr.printBlind(ctx, job, res)
		}
		return res, &PrintError{res, err}
	}
	res.Before = st
	if !st.OK() {
		return res, &PrintError{res, NotReady(st)}
	}
	if res.Mode == StatusAuto || res.Mode == StatusNone {
		m, err := pr.probeInOrder(ctx)
		if err != nil {
			return res, &PrintError{res, err}
		}
		pr.learned, res.Mode = m, m
	}
	if err := pr.drainInput(); err != nil {
		return res, &PrintError{res, err}
	}
	if res.Mode == StatusRealtime {
		return pr.printRealtime(ctx, job, res)
	}
	return pr.printConfirmed(ctx, job, res)
}

// chunks returns the end offsets of the job's chunks.
func (pr *Printer) chunks(job []byte) []int {
	return chunk(job, Breaks(job), max(256, pr.profile.BufferBytes/2))
}

// printConfirmed sends the job with a GS r 1 marker after each chunk (StatusFull).
func (pr *Printer) printConfirmed(ctx context.Context, job []byte, res Result) (Result, error) {
	marker := []byte{gs, 'r', 1}
	var pending []int // chunk end offsets not yet confirmed
	waitOne := func() error {
		b, err := pr.awaitMarker(ctx, res.Sent-res.Confirmed)
		if err != nil {
			return err
		}
		res.Confirmed = pending[0]
		pending = pending[1:]
		if b&0x0C != 0 && len(pending) > 0 {
			// The paper sensor says end: the printer will stop before the next chunk.
			res.Warnings = append(res.Warnings, "giấy hết trong khi in (paper ran out during the job)")
		}
		return nil
	}
	for _, c := range pr.chunks(job) {
		for len(pending) >= 2 {
			if err := waitOne(); err != nil {
				return pr.failed(ctx, res, err)
			}
		}
		if err := pr.write(ctx, job[res.Sent:c]); err != nil {
			return pr.failed(ctx, res, err)
		}
		res.Sent = c
		if err := pr.write(ctx, marker); err != nil {
			return pr.failed(ctx, res, err)
		}
		pending = append(pending, c)
	}
	for len(pending) > 0 {
		if err := waitOne(); err != nil {
			return pr.failed(ctx, res, err)
		}
	}
	res.Outcome = Printed
	pr.checkAfter(ctx, &res)
	return res, nil
}

// maxBusyChecks bounds how often a marker may be late while the printer says it is fine: a
// printer busy cutting or printing a large image answers DLE EOT at once but GS r only when it
// gets there. It is not a stall as long as it reports no fault, up to this many extra waits.
const maxBusyChecks = 4

// awaitMarker waits for the next GS r reply, unconfirmed bytes being in flight. When it is late,
// the printer's real-time status decides: a fault, or no answer, is a stall; a printer that
// reports itself fine is still working and is given more time (maxBusyChecks).
func (pr *Printer) awaitMarker(ctx context.Context, unconfirmed int) (byte, error) {
	for checks := 0; ; checks++ {
		if len(pr.inOrder) > 0 {
			b := pr.inOrder[0]
			pr.inOrder = pr.inOrder[1:]
			return b, nil
		}
		b, err := pr.readReply(ctx, pr.StallTimeout+2*pr.lineTime(unconfirmed), IsInOrderReply)
		if !errors.Is(err, ErrNoReply) || checks == maxBusyChecks {
			return b, err
		}
		st, serr := pr.queryWithin(ctx, pr.StallTimeout)
		if serr != nil || !st.OK() {
			return 0, ErrStalled
		}
	}
}

// printRealtime sends the job paced by line time, asking DLE EOT between chunks (StatusRealtime).
func (pr *Printer) printRealtime(ctx context.Context, job []byte, res Result) (Result, error) {
	for _, c := range pr.chunks(job) {
		start := time.Now()
		if err := pr.write(ctx, job[res.Sent:c]); err != nil {
			return pr.failed(ctx, res, err)
		}
		n := c - res.Sent
		res.Sent = c
		if err := pr.pace(ctx, start, n); err != nil {
			return pr.failed(ctx, res, err)
		}
		st, err := pr.queryWithin(ctx, pr.StallTimeout)
		if err != nil {
			return pr.failed(ctx, res, err)
		}
		if !st.OK() {
			res.After = &st
			return pr.failed(ctx, res, fmt.Errorf("%w: %s", ErrStalled, st.Detail()))
		}
	}
	// The last chunk may still be printing: wait for its line time again before the final check.
	if err := pr.pace(ctx, time.Now(), min(len(job), max(256, pr.profile.BufferBytes/2))); err != nil {
		return pr.failed(ctx, res, err)
	}
	st, err := pr.queryWithin(ctx, pr.StallTimeout)
	if err != nil {
		return pr.failed(ctx, res, err)
	}
	res.After = &st
	if !st.OK() {
		return pr.failed(ctx, res, fmt.Errorf("%w: %s", ErrStalled, st.Detail()))
	}
	res.Outcome, res.Confirmed = Printed, res.Total
	if st.PaperNearEnd {
		res.Warnings = append(res.Warnings, "sắp hết giấy, hãy thay cuộn giấy (paper near end: replace the roll)")
	}
	return res, nil
}

// printBlind sends the job to a printer without status, paced by line time (StatusNone).
func (pr *Printer) printBlind(ctx context.Context, job []byte, res Result) (Result, error) {
	res.Warnings = append(res.Warnings, warnUnconfirmed)
	for _, c := range pr.chunks(job) {
		start := time.Now()
		if err := pr.write(ctx, job[res.Sent:c]); err != nil {
			return pr.lost(res, err)
		}
		n := c - res.Sent
		res.Sent = c
		if err := pr.pace(ctx, start, n); err != nil {
			return pr.lost(res, err)
		}
	}
	res.Outcome = SentUnconfirmed
	return res, nil
}

// lost reports a job a printer without status could not be sent whole.
func (pr *Printer) lost(res Result, cause error) (Result, error) {
	res.Outcome = NotPrinted
	if res.Sent > 0 {
		res.Outcome = PartlyPrinted
	}
	return res, &PrintError{res, cause}
}

// pace returns once n bytes written at start have had time to cross the line: at the line's speed,
// or the profile's usual serial speed for USB, whose own speed says nothing of the printer's.
// Hardware flow control needs nothing more: on a line with RTS/CTS a printer that holds CTS makes
// the next write wait, and its deadline turns a printer that never lets go into ErrStalled. (A
// tcdrain would wait too, but without a deadline.)
func (pr *Printer) pace(ctx context.Context, start time.Time, n int) error {
	baud := pr.baud
	if baud <= 0 {
		baud = pr.profile.Baud
	}
	if baud <= 0 {
		return nil
	}
	wait := time.Until(start.Add(time.Duration(n) * 10 * time.Second / time.Duration(baud)))
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// failed ends a job that stopped on a printer with status: it asks why, clears what the printer
// holds of the job, and returns the PrintError.
func (pr *Printer) failed(ctx context.Context, res Result, cause error) (Result, error) {
	res.Outcome = PartlyPrinted
	if errors.Is(cause, ErrNoReply) {
		cause = ErrStalled
	}
	if !errors.Is(cause, ErrDisconnect) {
		if res.After == nil {
			if st, err := pr.query(ctx); err == nil {
				res.After = &st
				if len(st.Problems()) > 0 {
					cause = fmt.Errorf("%w: %s", cause, st.Detail())
				}
			}
		}
		pr.clearBuffer(ctx)
	}
	return res, &PrintError{res, cause}
}

// checkAfter reads the status after a confirmed job, for its warnings.
func (pr *Printer) checkAfter(ctx context.Context, res *Result) {
	if st, err := pr.queryWithin(ctx, pr.StallTimeout); err == nil {
		res.After = &st
		if st.PaperNearEnd {
			res.Warnings = append(res.Warnings, "sắp hết giấy, hãy thay cuộn giấy (paper near end: replace the roll)")
		}
	}
}

// clearBuffer discards what the printer holds of a failed job, so half a receipt does not come out
// when the fault is cleared, and returns once the printer has received the command: real-time
// commands are taken in the order they arrive, so the reply to a DLE EOT sent after the clear
// proves the clear arrived.
func (pr *Printer) clearBuffer(ctx context.Context) {
	var e Encoder
	e.ClearBuffer().StatusRequest(4)
	if err := pr.write(ctx, e.Bytes()); err != nil {
		return
	}
	pr.readReply(ctx, pr.ReplyTimeout, IsRealtimeReply)
}

// chunk groups the job into pieces ending at break offsets, each at most limit bytes unless a
// single command is larger.
func chunk(job []byte, breaks []int, limit int) []int {
	var out []int
	start, last := 0, 0
	for _, b := range breaks {
		if b-start > limit && last > start {
			out = append(out, last)
			start = last
		}
		last = b
	}
	if len(job) > start {
		out = append(out, len(job))
	}
	return out
}
