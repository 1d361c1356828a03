package receipt

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/dossier"
)

// DefaultLookupURL is the national portal's dossier lookup, used when the kiosk configures none.
const DefaultLookupURL = "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma={code}"

// ResultAtCounter is where the result of a kiosk dossier is collected.
const ResultAtCounter = "Nhận trực tiếp tại Bộ phận Một cửa"

// Kiosk is what the kiosk's configuration adds to the slips it prints.
type Kiosk struct {
	// LookupURL is the dossier lookup address, with {code} where the dossier code goes; empty:
	// DefaultLookupURL.
	LookupURL string
	Hotline   string
	// Location is the zone times are written in; nil: Vietnam time (internal/vntime).
	Location *time.Location
}

// Lookup returns the lookup address of a dossier code.
func (k Kiosk) Lookup(code string) string {
	tmpl := k.LookupURL
	if tmpl == "" {
		tmpl = DefaultLookupURL
	}
	return strings.ReplaceAll(tmpl, "{code}", code)
}

func (k Kiosk) zone() *time.Location {
	if k.Location == nil {
		return vntime.Zone()
	}
	return k.Location
}

// Standing is what is known of a committed dossier at print time beyond its manifest.
type Standing struct {
	// Code is the official dossier code; empty while the central system has not issued one, and the
	// receipt then carries the dossier's receipt number marked as provisional.
	Code string
	// Owed is the fee the citizen has not paid, with the VietQR code that pays it; nil: none.
	Owed *Owed
}

// ErrNoDossier is returned by Build without a committed dossier.
var ErrNoDossier = errors.New("không có hồ sơ đã lưu để in biên nhận (no committed dossier to print a receipt for)")

// Build makes the receipt of a committed dossier: d is the manifest as the outbox stored it
// (dossier.ParseManifest of its bytes), proc the procedure as the catalogue describes it (nil when
// the catalogue no longer has it: no processing time, no appointment, no counts). It is the only
// receipt builder of the kiosk. The first print and every reprint call it with the same stored
// manifest, so they print the same receipt; only what st says (the official code once issued, a
// fee owed) can differ. The receipt is validated.
func Build(d *dossier.Dossier, st Standing, proc *catalog.Procedure, k Kiosk) (*Receipt, error) {
	if d == nil {
		return nil, ErrNoDossier
	}
	code, provisional := st.Code, false
	if code == "" {
		code, provisional = d.ReceiptNo, true
	}
	received := d.CapturedAt.In(k.zone())
	r := &Receipt{
		Unit: d.Unit.Name, DossierCode: code, Provisional: provisional,
		Applicant: Applicant{Name: d.Applicant.FullName, IDNumber: d.Applicant.IDNumber,
			Phone: d.Applicant.Phone, Address: d.Applicant.Address},
		Procedure:      Procedure{Code: d.Procedure.Code, Name: d.Procedure.Name},
		ReceivedAt:     received,
		ResultDelivery: ResultAtCounter,
		LookupURL:      k.Lookup(code),
		KioskID:        d.KioskID,
		Hotline:        k.Hotline,
		FeeOwed:        st.Owed,
	}
	counts := map[string]catalog.Document{}
	if proc != nil {
		r.ProcessingTime = proc.ProcessingTime
		r.AppointmentAt = Appointment(received, proc.ProcessingDays)
		for _, doc := range proc.Documents {
			counts[doc.Type] = doc
		}
	}
	for _, a := range d.Attachments {
		c := counts[a.Type]
		r.Documents = append(r.Documents, Document{Name: a.Name, Originals: c.Originals, Copies: c.Copies})
	}
	r.normalize()
	if err := r.Validate(); err != nil {
		return nil, fmt.Errorf("receipt of dossier %s: %w", d.ReceiptNo, err)
	}
	return r, nil
}

// Appointment is the date the result is due: the same working day at 16:30 for procedures settled
// the same day (received before 16:30 on a weekday), otherwise after the given number of working
// days (Monday to Friday) at 15:00, in received's zone.
func Appointment(received time.Time, workingDays int) time.Time {
	t := received
	if workingDays == 0 {
		end := time.Date(t.Year(), t.Month(), t.Day(), 16, 30, 0, 0, t.Location())
		if t.Before(end) && t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			return end
		}
		workingDays = 1
	}
	for workingDays > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			workingDays--
		}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 15, 0, 0, 0, t.Location())
}
