package devserver

// The fee of a dossier, assessed when the dossier is accepted.

import (
	"context"
	"database/sql"

	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

// assessFee returns the fee the served catalogue puts on a dossier: its procedure's fixed fee, or
// its per-page rule applied to the pages of the dossier's attachments and the copies its form asks
// for. 0 when the catalogue puts no number on it (free, or set by the province: staff assess it
// later with SetTracking) or the procedure is not in the catalogue.
func assessFee(cat central.Catalogue, d *dossier.Dossier) int64 {
	for _, cp := range cat.Procedures {
		if cp.Code != d.Procedure.Code {
			continue
		}
		docs := make([]catalog.PagedDocument, 0, len(d.Attachments))
		for _, a := range d.Attachments {
			docs = append(docs, catalog.PagedDocument{Type: a.Type, Pages: a.Pages})
		}
		p := catalog.Procedure{Code: cp.Code, FeeVND: cp.FeeVND, FeePages: cp.FeePages}
		v, _ := p.Assess(docs, d.Fields)
		return v
	}
	return 0
}

// owe records, in the transaction that accepts dossier code, the fee it owes: an unpaid payment,
// and the national status 6 (Yêu cầu thực hiện nghĩa vụ tài chính) on the tracker, as SetTracking
// does when staff ask for a fee. The dossier's lifecycle status stays received (the answer to the
// submission, and to its retries, does not change). A payment already recorded for the code, paid
// or not, is left as it is.
func owe(ctx context.Context, tx *sql.Tx, code string, amount, now int64) error {
	if amount <= 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO payments(code, amount, state) VALUES(?,?,?) ON CONFLICT(code) DO NOTHING`,
		code, amount, central.PaymentUnpaid); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO tracking(code, status_code, updated_at) VALUES(?,?,?) ON CONFLICT(code) DO NOTHING`,
		code, dossier.StatusNeedsPayment, now)
	return err
}
