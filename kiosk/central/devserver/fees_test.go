package devserver_test

import (
	"context"
	"testing"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/dossier"
)

// feeDossier is a dossier submitted for the fee tests, kept to submit it again.
type feeDossier struct {
	key, code string
	manifest  []byte
	sig       []byte
}

// submitPaged files a dossier of procedure with one attachment per entry of pages (document type →
// page count) and the form values fields.
func (e *svcEnv) submitPaged(t *testing.T, procedure, procName string, pages map[string]int, fields map[string]string) feeDossier {
	t.Helper()
	var atts []dossier.Attachment
	for typ, n := range pages {
		atts = append(atts, dossier.Attachment{Type: typ, Name: typ, Pages: n})
	}
	return e.file(t, e.newDossier(procedure, procName, fields), atts)
}

// TestFeeAssessedAtAcceptance: the development server puts the catalogue's fee on a dossier when it
// accepts it (fixed, or by the pages of the copies), shows it on the tracker as status 6, and never
// changes it on a retry of the submission nor resets a paid fee; free procedures and those whose
// fee the province sets owe nothing at acceptance.
func TestFeeAssessedAtAcceptance(t *testing.T) {
	e := newSvcEnv(t, false, devserver.Config{})
	ctx := context.Background()

	sig := e.submitPaged(t, "2.000884", "Chứng thực chữ ký", map[string]int{"giay-to-tuy-than": 1, "van-ban-can-chung-thuc": 4}, nil)
	st, err := e.c.Payment(ctx, sig.code)
	if err != nil || st.State != central.PaymentUnpaid || st.AmountVND != 10000 || st.Payee == nil || st.Purpose != "Le phi Chung thuc chu ky" {
		t.Fatalf("fixed fee: %+v %v", st, err)
	}
	td, err := e.c.Track(ctx, sig.code)
	if err != nil || td.StatusCode != dossier.StatusNeedsPayment || td.Owed == nil || td.Owed.FeeVND != 10000 || td.Owed.FeePaid {
		t.Fatalf("tracker: %+v %v", td, err)
	}

	// By the page: 3 pages (2 × 2.000 + 1.000) × 2 copies; the original's pages do not count.
	cp := e.submitPaged(t, "2.000815", "Chứng thực bản sao từ bản chính", map[string]int{"ban-chinh": 3, "ban-sao": 3},
		map[string]string{"copies": "2", "documentName": "Bằng tốt nghiệp"})
	if st, err := e.c.Payment(ctx, cp.code); err != nil || st.State != central.PaymentUnpaid || st.AmountVND != 10000 {
		t.Fatalf("per-page fee: %+v %v", st, err)
	}
	long := e.submitPaged(t, "2.000815", "Chứng thực bản sao từ bản chính", map[string]int{"ban-chinh": 250, "ban-sao": 250},
		map[string]string{"copies": "1"})
	if st, err := e.c.Payment(ctx, long.code); err != nil || st.AmountVND != 200000 {
		t.Fatalf("capped per copy: %+v %v", st, err)
	}

	// Nothing owed at acceptance: free, set by the province, or no page to count.
	for _, f := range []feeDossier{
		e.submitPaged(t, "1.001193", "Đăng ký khai sinh", map[string]int{"to-khai-khai-sinh": 1}, nil),
		e.submitPaged(t, "1.004194", "Đăng ký thường trú", map[string]int{"to-khai-cu-tru": 2}, nil),
		e.submitPaged(t, "2.000815", "Chứng thực bản sao từ bản chính", map[string]int{"ban-chinh": 2}, nil),
	} {
		if st, err := e.c.Payment(ctx, f.code); err != nil || st.State != central.PaymentNone || st.AmountVND != 0 {
			t.Fatalf("%s owes %+v %v", f.code, st, err)
		}
		if td, err := e.c.Track(ctx, f.code); err != nil || td.StatusCode != dossier.StatusAccepted || td.Owed != nil {
			t.Fatalf("%s tracked %+v %v", f.code, td, err)
		}
	}

	// A retry of the submission answers the same and leaves the fee alone, unpaid or paid.
	again, err := e.c.Submit(ctx, sig.key, sig.manifest, sig.sig)
	if err != nil || again.DossierCode != sig.code || again.Status != central.StatusReceived {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if st, _ := e.c.Payment(ctx, sig.code); st.State != central.PaymentUnpaid || st.AmountVND != 10000 {
		t.Fatalf("after the retry: %+v", st)
	}
	paid, err := e.srv.MarkPaid(ctx, sig.code, devserver.BankNotice{AmountVND: 10000, BankRef: "FT26341FEE"})
	if err != nil || paid.State != central.PaymentPaid || paid.ReceiptNo == "" {
		t.Fatalf("paid: %+v %v", paid, err)
	}
	if _, err := e.c.Submit(ctx, sig.key, sig.manifest, sig.sig); err != nil {
		t.Fatal(err)
	}
	st, err = e.c.Payment(ctx, sig.code)
	if err != nil || st.State != central.PaymentPaid || st.ReceiptNo != paid.ReceiptNo || st.BankRef != "FT26341FEE" || st.AmountVND != 10000 {
		t.Fatalf("a retry reset the paid fee: %+v %v", st, err)
	}
	if td, _ := e.c.Track(ctx, sig.code); td.StatusCode != dossier.StatusProcessing || td.Owed != nil {
		t.Fatalf("after payment: %+v", td)
	}
}
