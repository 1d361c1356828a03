package central

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// Payment states.
const (
	PaymentNone   = "none"   // nothing to pay
	PaymentUnpaid = "unpaid" // owed: show the VietQR
	PaymentPaid   = "paid"   // the bank's notice was seen
)

// Payee is the account that receives a dossier's fee (what the VietQR carries).
type Payee struct {
	BIN     string `json:"bin"`
	Account string `json:"account"`
	Name    string `json:"name"`
}

// PaymentStatus is what central knows about a dossier's fee.
type PaymentStatus struct {
	DossierCode string    `json:"dossierCode"`
	AmountVND   int64     `json:"amountVnd"`
	State       string    `json:"state"`
	Payee       *Payee    `json:"payee,omitempty"`
	Purpose     string    `json:"purpose,omitempty"`   // the transfer note to put in the QR
	PaidAt      time.Time `json:"paidAt,omitzero"`     // when the bank's notice came
	BankRef     string    `json:"bankRef,omitempty"`   // the bank's transaction reference
	ReceiptNo   string    `json:"receiptNo,omitempty"` // the e-receipt (biên lai) number
}

// Payment fetches the fee state of a dossier.
func (c *Client) Payment(ctx context.Context, code string) (*PaymentStatus, error) {
	var out PaymentStatus
	if _, err := c.do(ctx, http.MethodGet, PathPayments+"/"+url.PathEscape(code), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// PollOptions bounds the waits between polls of WaitPaid.
type PollOptions struct {
	Min, Max time.Duration // first wait and longest wait; defaults 1 s and 15 s
}

// WaitPaid polls a dossier's payment until it is paid (or there is nothing to pay), ctx ends, or
// central refuses for good. Waits grow from Min to Max with full jitter, and follow Retry-After;
// transient failures (network, 5xx, 429) are polled through.
func (c *Client) WaitPaid(ctx context.Context, code string, o PollOptions) (*PaymentStatus, error) {
	if o.Min <= 0 {
		o.Min = time.Second
	}
	if o.Max < o.Min {
		o.Max = max(o.Min, 15*time.Second)
	}
	wait := o.Min
	for {
		st, err := c.Payment(ctx, code)
		if err == nil && st.State != PaymentUnpaid {
			return st, nil
		}
		var e *Error
		if err != nil && errors.As(err, &e) && (Permanent(err) || e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusUnauthorized) {
			return nil, err
		}
		d := time.Duration(rand.Int64N(int64(wait)) + 1)
		if ra := RetryAfter(err); ra > d {
			d = ra
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, o.Max)
	}
}

// ---- Notifications ----
