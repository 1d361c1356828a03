package screens

import (
	"image"
	"image/color"
	"strconv"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// qrShown is the QR code drawn on the screen: kept while the payload and the size stay, so a
// rebuild of the frame does not make a new texture.
type qrShown struct {
	payload string
	side    int
	img     *ebiten.Image
}

// qrImage returns the QR code of payload as an image at most side pixels square, in whole pixels
// per module with a four-module quiet zone, so it is drawn unscaled and sharp. It returns nil for a
// payload that cannot be encoded (empty, too long).
func (a *App) qrImage(payload string, side int) *ebiten.Image {
	if q := a.qr; q != nil && q.payload == payload && q.side == side {
		return q.img
	}
	if payload == "" {
		return nil
	}
	code, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil
	}
	code.DisableBorder = true
	modules := code.Bitmap()
	n := len(modules) + 8 // the quiet zone, four modules each side
	px := side / n
	if px < 2 {
		return nil
	}
	img := image.NewRGBA(image.Rect(0, 0, n*px, n*px))
	white, black := color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}, color.RGBA{0, 0, 0, 0xFF}
	for y := range n * px {
		for x := range n * px {
			my, mx := y/px-4, x/px-4
			c := white
			if my >= 0 && mx >= 0 && my < len(modules) && mx < len(modules) && modules[my][mx] {
				c = black
			}
			img.SetRGBA(x, y, c)
		}
	}
	if a.qr != nil && a.qr.img != nil {
		a.qr.img.Deallocate()
	}
	a.qr = &qrShown{payload: payload, side: side, img: ebiten.NewImageFromImage(img)}
	return a.qr.img
}

// drawQR draws the QR code of payload centred in r, as large as r allows; it reports whether it
// could.
func (a *App) drawQR(f *widget.Frame, r image.Rectangle, payload string) bool {
	side := min(r.Dx(), r.Dy())
	img := a.qrImage(payload, side)
	if img == nil {
		return false
	}
	s := img.Bounds().Dx()
	x, y := r.Min.X+(r.Dx()-s)/2, r.Min.Y+(r.Dy()-s)/2
	f.Image(image.Rect(x, y, x+s, y+s), img)
	return true
}

// dong writes an amount in đồng the Vietnamese way: dots between thousands, "đồng" after
// (20000 → "20.000 đồng").
func dong(amount int64) string {
	s := strconv.FormatInt(max(amount, -amount), 10)
	var b strings.Builder
	if amount < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String() + " đồng"
}

// statusWords is the national dossier status code (TrangThaiHoSo 1–10) in the words the status
// slip prints (dossier.Status), Vietnamese and English, with what the citizen does next. An unknown
// code says so: the kiosk never invents a status.
func statusWords(code int) (vi, en, next string) {
	st := dossier.Status(code)
	if !st.Valid() {
		return "Chưa rõ trạng thái", "Status unknown", "Hãy hỏi cán bộ tại quầy. (Ask at the counter.)"
	}
	vi, en = st.Label()
	nextVi, nextEn := st.Next()
	return vi, en, nextVi + " (" + nextEn + ")"
}

// svcState is the citizen services' local state: the code, comment or contact being typed, and
// the "what to bring" list opened over the documents screen. It is dropped with the step.
type svcState struct {
	typing    string // code, comment, phone, email; "" when nothing is typed
	text      string // what the character pad has typed (code, email)
	kb        *widget.Keyboard
	checklist bool
}

// svc returns the services' local state, made on first use.
func (a *App) svcLocal() *svcState {
	if a.svc == nil {
		a.svc = &svcState{}
	}
	return a.svc
}

// actWith returns the tap handler of a button that posts name with value, key and index, made on
// the view shown (see act).
func (a *App) actWith(name wire.ActionName, value, key string, index int) func() {
	v := a.view
	return func() {
		act := wire.ActionOn(v, name, norm.NFC.String(value))
		act.Key, act.Index = key, index
		a.send(act)
	}
}

// services is the view's services part; never nil.
func (a *App) services() *wire.ServicesView {
	if s := a.view.Services; s != nil {
		return s
	}
	return &wire.ServicesView{}
}

// Character pads: the dossier code (capitals, digits, dot and dash, as Circular 01/2018 writes
// it) and an e-mail address. The Vietnamese keyboard's Telex would turn "s" or "dd" in them into
// marks, so they have pads of their own.
var (
	codeRows  = []string{"1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM.-"}
	emailRows = []string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm@._-"}
)

// maxTyped is the longest text a character pad takes (a dossier code is at most 30 characters, an
// address 254).
func maxTyped(typing string) int {
	if typing == "email" {
		return 254
	}
	return 30
}

// charPad lays out the keys of rows inside r; each key appends its character to s.text, Xóa takes
// the last one away.
func (a *App) charPad(f *widget.Frame, r image.Rectangle, rows []string) {
	s := a.svcLocal()
	const g = 10
	n := len(rows) + 1
	kh := min((r.Dy()-g*(n-1))/n, 120)
	cols := 11
	kw := (r.Dx() - g*(cols-1)) / cols
	y := r.Min.Y
	for _, row := range rows {
		keys := []rune(row)
		x := r.Min.X + (cols-len(keys))*(kw+g)/2
		for _, c := range keys {
			label := string(c)
			f.Button(image.Rect(x, y, x+kw, y+kh), label, "", widget.Key, func() {
				if len([]rune(s.text)) < maxTyped(s.typing) {
					s.text += label
				}
				a.changed()
			})
			x += kw + g
		}
		y += kh + g
	}
	f.Button(image.Rect(r.Max.X-3*kw-2*g, y, r.Max.X, y+kh), widget.KeyBackspace, "", widget.Danger, func() {
		if rs := []rune(s.text); len(rs) > 0 {
			s.text = string(rs[:len(rs)-1])
		}
		a.changed()
	})
}

// dateVN writes t as dd/mm/yyyy in Vietnam's time; "" for the zero time.
func dateVN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vntime.Zone()).Format("02/01/2006")
}

// timeVN writes t as hh:mm dd/mm/yyyy in Vietnam's time; "" for the zero time.
func timeVN(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vntime.Zone()).Format("15:04 02/01/2006")
}

// dayVN writes an ISO day (YYYY-MM-DD) as dd/mm/yyyy; anything else as it is.
func dayVN(day string) string {
	if t, err := time.Parse(time.DateOnly, day); err == nil {
		return t.Format("02/01/2006")
	}
	return day
}

// msgText is a message as one line, Vietnamese first, English in parentheses.
func msgText(m wire.Message) string {
	if m.En == "" || m.En == m.Vi {
		return m.Vi
	}
	return m.Vi + " (" + m.En + ")"
}

// bigWait draws a spinner in the middle of what is left of r below y.
func (a *App) bigWait(f *widget.Frame, r image.Rectangle, y int) {
	s := min(r.Dx(), r.Max.Y-y) / 2
	if s > 60 {
		c := image.Pt(r.Min.X+r.Dx()/2, y+(r.Max.Y-y)/2)
		f.Custom(image.Rect(c.X-s/2, c.Y-s/2, c.X+s/2, c.Y+s/2), spinner(a.th))
	}
}

// slipLine says where the slip being printed stands, if there is one; it returns the height used.
func (a *App) slipLine(f *widget.Frame, r image.Rectangle, y int) int {
	vi, clr := a.slipText()
	if vi == "" {
		return 0
	}
	return f.Text(image.Rect(r.Min.X, y, r.Max.X, y), vi, theme.Body, true, widget.Start, clr) + gap/2
}

// slipText is what slipLine says of the slip being printed, and its colour ("" when there is none).
func (a *App) slipText() (string, color.RGBA) {
	p := a.th.Palette
	sl := a.services().Slip
	if sl == nil {
		return "", p.Fg
	}
	what := map[string]string{wire.SlipStatus: "phiếu tình trạng hồ sơ", wire.SlipQueue: "phiếu số thứ tự",
		wire.SlipFee: "biên lai thu phí", wire.SlipChecklist: "danh sách cần mang theo"}[sl.Kind]
	if what == "" {
		what = "phiếu"
	}
	vi, clr := "", p.Fg
	switch sl.State {
	case wire.SlipPrinting:
		vi = "Đang in " + what + "… (printing)"
	case wire.SlipPrinted:
		vi, clr = "Đã in "+what+", xin nhận ở khe máy in. (Printed: take it from the printer.)", p.Ok
	case wire.SlipFailed:
		vi, clr = "Máy in chưa in được "+what+". Hãy hỏi cán bộ tại quầy. (It could not be printed: ask the staff.)", p.Danger
	}
	if sl.Message != nil && sl.Message.Vi != "" {
		vi = msgText(*sl.Message)
	}
	return vi, clr
}
