package session

import (
	"context"
	"errors"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
)

// The end of the journey: consent, the commit of the dossier to the outbox (submitting), the
// receipt (printing) and the done screen.

// actConsent applies an action on the consent screen.
func (s *session) actConsent(a Action) error {
	switch a.Action {
	case wire.ActAgree:
		c, err := s.notifyChoice()
		if err != nil {
			return err
		}
		s.svc.notifyChoice = c
		s.submit()
		return nil
	case wire.ActNotifyChannel, wire.ActNotifyContact:
		return s.actNotify(a)
	case wire.ActBack:
		s.state = wire.Review
		return nil
	}
	return ErrNotNow
}

// actFinish ends the journey from the receipt (once the printer is done with it) or the done
// screen.
func (s *session) actFinish(a Action) error {
	switch {
	case a.Action != wire.ActFinish:
		return ErrNotNow
	case s.state == wire.Done:
		s.wipe()
	case s.step == wire.StepPrinting:
		return ErrNotNow
	default:
		s.finish()
	}
	return nil
}

// submit builds the dossier from the session and commits it to the outbox.
func (s *session) submit() {
	d := &Dossier{
		ProcedureCode: s.proc.Code, ProcedureName: s.proc.Name, Applicant: s.citizen.Citizen,
		PassiveAuth: s.citizen.DossierPassiveAuth(), Fields: map[string]string{}, Consent: true, CapturedAt: s.m.now(),
	}
	for _, ff := range s.form {
		d.Fields[ff.def.Key] = ff.value
	}
	for _, x := range s.docs {
		if x.status != wire.DocDone {
			continue
		}
		dd := DossierDocument{Type: x.def.Type, Name: x.def.Name, PDF: x.result.PDF,
			Pages: x.result.Pages, Originals: x.def.Originals, Copies: x.def.Copies}
		if x.kept {
			why := x.why
			dd.Mismatch = &why
		}
		d.Documents = append(d.Documents, dd)
	}
	s.dossier = d
	s.state, s.step, s.message = wire.Submitting, "", nil
	// The commit must not be cut short by a cancel or idle timeout: it gets its own context.
	citizen, wait, m := s.citizenSeq, s.m.cfg.SubmitWait, s.m
	go func() {
		res, err := m.dev.Outbox.Submit(context.Background(), d, wait)
		m.post(submittedEvent{citizen, res, err})
	}()
}

// onSubmitted takes the outbox's answer: committed, the receipt is printed; not, the citizen is
// back at consent to try again.
func (s *session) onSubmitted(res *Submitted, err error) {
	if err != nil {
		s.state, s.step = wire.Consent, ""
		s.message = submitMessage(err)
		return
	}
	s.receipt = res
	s.sendNotify(res)
	if !res.Provisional && s.proc != nil && s.proc.Fee != "" && s.payments() != nil {
		// Central says whether a fee is to pay now: the VietQR comes before the receipt.
		s.startPayment(res.DossierCode, wire.Receipt)
		return
	}
	s.printReceipt(nil)
}

// printReceipt prints the receipt of the dossier just committed; owed is the fee the citizen left
// unpaid (printed with its VietQR), or nil.
func (s *session) printReceipt(owed *FeeOwed) {
	res := *s.receipt
	res.FeeOwed = owed
	s.state, s.step, s.message, s.svc.slip = wire.Receipt, wire.StepPrinting, nil, nil
	citizen, d, m := s.citizenSeq, s.dossier, s.m
	go func() {
		err := m.dev.Receipts.PrintReceipt(context.Background(), d, &res)
		m.post(printedEvent{citizen, err})
	}()
}

// onPrinted takes the printer's answer: printed (or sent to a printer that cannot confirm it), the
// session is done; failed, the citizen is told to note the code and go to the counter.
func (s *session) onPrinted(err error) {
	if errors.Is(err, ErrPrintUnconfirmed) {
		s.step = wire.StepPrinted
		s.finish()
		s.message = msg("done_print_unconfirmed",
			"Hoàn tất. Xin lấy biên nhận ở khe máy in; nếu không thấy biên nhận, hãy ghi lại mã hồ sơ trên màn hình và đến quầy. Xin nhận lại thẻ căn cước và giấy tờ.",
			"Finished. Take the receipt from the printer slot; if there is none, note the dossier code on the screen and go to the counter. Please take your ID card and papers.")
		return
	}
	if err != nil {
		s.step = wire.StepPrintFail
		s.message = &Message{Code: "print_failed",
			Vi: "Hồ sơ đã được tiếp nhận và lưu an toàn, nhưng máy in gặp sự cố. Hãy ghi lại mã hồ sơ trên màn hình và đến quầy để nhận biên nhận.",
			En: "The dossier was received and is safe, but the printer failed. Note the dossier code on the screen and collect the receipt at the counter."}
		return
	}
	s.printed = true
	s.step = wire.StepPrinted
	s.finish()
}

// finish shows the done screen, which returns to attract after Config.DoneAfter.
func (s *session) finish() {
	s.state = wire.Done
	if s.receipt != nil && s.m.dev.Services != nil {
		s.svc.queueReason = s.needsCounter()
		s.svc.queueOffered = s.svc.queueReason != nil
	}
	s.doneAt = s.m.now()
	s.message = msg("done", "Hoàn tất. Xin nhận lại thẻ căn cước, giấy tờ và biên nhận.",
		"Finished. Please take your ID card, your papers and the receipt.")
}

// submitMessage words a failed commit for the citizen, by cause (errors.Is), as cardMessage does.
// The error's own text is not shown: it is written for the technician and the journal.
func submitMessage(err error) *Message {
	m := &Message{Code: "submit_failed", Retry: true,
		Vi: "Chưa lưu được hồ sơ. Hồ sơ chưa được nộp; hãy thử lại hoặc liên hệ cán bộ.",
		En: "The dossier could not be saved; it has not been submitted. Try again or ask the staff."}
	switch {
	case errors.Is(err, outbox.ErrDiskFull), errors.Is(err, outbox.ErrOutOfService), errors.Is(err, outbox.ErrCorrupt),
		errors.Is(err, outbox.ErrSealBroken), errors.Is(err, outbox.ErrNoSigningCertificate), errors.Is(err, outbox.ErrSigningCertificate):
		m.Vi = "Kiosk tạm thời không nhận hồ sơ. Hồ sơ chưa được nộp; hãy liên hệ cán bộ tại quầy."
		m.En = "The kiosk cannot take dossiers just now; the dossier has not been submitted. Please ask the staff at the counter."
	case errors.Is(err, dossier.ErrInvalid), errors.Is(err, dossier.ErrBadDate):
		m.Vi = "Hồ sơ còn thiếu hoặc sai thông tin nên chưa được nộp. Hãy kiểm tra lại hoặc liên hệ cán bộ."
		m.En = "The dossier lacks details or has wrong ones, so it has not been submitted. Check it or ask the staff."
	}
	return m
}
