package receipt

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tramso/tramso/drivers/escpos"
)

// QueueTicket is the number a citizen takes for a counter: the number in large print, the counter
// or field that serves it, how many are ahead, the estimated wait, the time it was taken (in
// Vietnam time) and the QR code to follow the queue on a phone.
type QueueTicket struct {
	Unit    string
	Number  string // as the queue service issues it, e.g. "A042"; at most 8 characters
	Counter string // the counter that serves it, e.g. "Quầy 3"; or empty with Field set
	Field   string // the field (lĩnh vực), e.g. "Hộ tịch"; optional with Counter set
	// ProcedureName is the procedure chosen before taking the number (optional).
	ProcedureName string
	Ahead         int           // numbers called before this one
	Wait          time.Duration // estimated wait; 0: no estimate (none printed)
	IssuedAt      time.Time
	FollowURL     string // the queue page of this number, for the QR code
	KioskID       string
	Hotline       string
}

// Validate checks the ticket and puts its text in NFC.
func (q *QueueTicket) Validate() error {
	nfc(&q.Unit, &q.Number, &q.Counter, &q.Field, &q.ProcedureName, &q.FollowURL, &q.KioskID, &q.Hotline)
	switch {
	case q.Unit == "":
		return invalidField("unit", missingField)
	case q.Number == "":
		return invalidField("number", missingField)
	case utf8.RuneCountInString(q.Number) > 8:
		return invalidField("number", "số thứ tự tối đa 8 ký tự (the number is at most 8 characters)")
	case q.Counter == "" && q.Field == "":
		return invalidField("counter", "cần quầy hoặc lĩnh vực (a counter or a field is required)")
	case q.Ahead < 0 || q.Ahead > 9999:
		return invalidField("ahead", "số người chờ 0–9999 (people ahead 0 to 9999)")
	case q.Wait < 0 || q.Wait > 24*time.Hour:
		return invalidField("wait", "thời gian chờ 0–24 giờ (wait 0 to 24 hours)")
	case q.IssuedAt.IsZero():
		return invalidField("issuedAt", missingField)
	}
	return checkURL("followUrl", q.FollowURL)
}

// Layout lays the ticket out.
func (q *QueueTicket) Layout(p escpos.Profile) *escpos.Document {
	st := slipStyles()
	d := new(escpos.Document)
	header(d, q.Unit)
	title(d, "PHIẾU SỐ THỨ TỰ", "Queue ticket")
	d.Text("Số của bạn (your number)", st.center)
	d.Feed(8)
	d.Text(q.Number, st.huge)
	d.Feed(8)
	if q.Counter != "" {
		d.Text(q.Counter, st.large)
	}
	if q.Field != "" {
		d.Text("Lĩnh vực (field): "+q.Field, st.center)
	}
	if q.ProcedureName != "" {
		d.Text("Thủ tục (procedure): "+q.ProcedureName, st.smallCenter)
	}
	d.Rule()
	d.Text(fmt.Sprintf("Số người chờ trước bạn: %d (people ahead)", q.Ahead), st.plain)
	if q.Wait > 0 {
		d.Text("Thời gian chờ dự kiến: "+waitText(q.Wait), st.plain)
	}
	d.Text("Lấy số lúc (issued): "+vnTime(inVietnam(q.IssuedAt)), st.plain)
	d.Feed(6)
	d.Text("Xin theo dõi màn hình và loa gọi số.", st.bold)
	d.Text("(Watch the display and listen for your number.)", st.small)
	d.Rule()
	qrSection(d, "Quét mã để theo dõi lượt (scan to follow the queue)", q.FollowURL, false)
	d.Feed(8)
	footer(d, q.KioskID, q.Hotline)
	return d
}

// waitText words an estimated wait, rounded up to the minute: "khoảng 25 phút (about 25 min)",
// "khoảng 1 giờ 05 phút (about 1 h 05 min)".
func waitText(w time.Duration) string {
	m := int((w + time.Minute - 1) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("khoảng %d phút (about %d min)", m, m)
	}
	return fmt.Sprintf("khoảng %d giờ %02d phút (about %d h %02d min)", m/60, m%60, m/60, m%60)
}
