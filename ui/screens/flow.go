package screens

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/tramso/tramso/internal/vntext"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

func (a *App) offline(f *widget.Frame) {
	p := a.th.Palette
	r := f.Bounds().Inset(margin * 2)
	c := r.Min.Y + r.Dy()/3
	f.Custom(image.Rect(a.w/2-80, c-200, a.w/2+80, c-40), spinner(a.th))
	title, en := "Đang kết nối lại…", "Reconnecting… Xin vui lòng chờ trong giây lát (please wait)."
	if !a.connected {
		title, en = "Đang khởi động…", "Starting… Xin vui lòng chờ trong giây lát (please wait)."
	}
	y := c + f.Text(image.Rect(r.Min.X, c, r.Max.X, c), title, theme.Title, true, widget.Center, p.Fg)
	f.Text(image.Rect(r.Min.X, y, r.Max.X, y), en, theme.Body, false, widget.Center, p.Muted)
}

func (a *App) attract(f *widget.Frame) {
	p := a.th.Palette
	r := f.Bounds().Inset(margin)
	y := r.Min.Y + gap
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Kiosk dịch vụ công", theme.Title, true, widget.Center, p.Fg)
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Nộp hồ sơ thủ tục hành chính bằng thẻ Căn cước (public services kiosk)", theme.Body, false, widget.Center, p.Muted)
	y += gap * 2
	bottom := r.Max.Y
	if a.staffPort != nil {
		// The staff entry: small, below the citizen's button, behind a PIN.
		bottom -= footH + gap
		f.Button(image.Rect(r.Max.X-420, bottom+gap, r.Max.X, r.Max.Y), "Dành cho cán bộ", "Staff", widget.Secondary, a.openStaff)
	}
	if m := a.view.OutOfService; m != nil {
		// kioskd cannot take dossiers (its store is damaged): no session starts; say where to go.
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Ki-ốt tạm ngừng phục vụ", theme.Title, true, widget.Center, p.Danger)
		f.Text(image.Rect(r.Min.X, y, r.Max.X, y), m.Vi+" ("+m.En+")", theme.Body, false, widget.Center, p.Muted)
		return
	}
	if a.view.Maintenance {
		// The cabinet door is open (kioskd's enclosure): kioskd starts no session.
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Đang bảo trì", theme.Title, true, widget.Center, p.Danger)
		f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Xin vui lòng quay lại sau hoặc hỏi cán bộ tại quầy. (Under maintenance: please come back later or ask the staff at the counter.)", theme.Body, false, widget.Center, p.Muted)
		return
	}
	a.attractEntries(f, image.Rect(r.Min.X, y, r.Max.X, bottom))
}

func (a *App) identify(f *widget.Frame) {
	p := a.th.Palette
	v := a.view
	if v.Step == wire.StepTypeKey || a.edit != nil {
		if a.edit == nil {
			kb := widget.NewKeyboard(widget.Digits, "")
			kb.Max = 12
			a.edit = &editor{label: "Số định danh cá nhân (12 chữ số)", kind: "number", kb: kb}
		}
		kb := a.edit.kb
		r := a.page(f, "Nhập số định danh cá nhân", "Type the 12-digit personal ID number on your card", true,
			choice{"Xác nhận", "Confirm", widget.Primary, func() { a.act(wire.ActEnterID, kb.Text())() }})
		a.entryLine(f, &r, kb.Text(), "12 chữ số in trên thẻ Căn cước")
		kb.Layout(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+600)), a.changed)
		return
	}
	title, en := "Đưa mã QR trên thẻ Căn cước vào đầu đọc", "Hold the QR code of your ID card under the reader"
	switch v.Step {
	case wire.StepCard:
		title, en = "Đặt thẻ Căn cước lên đầu đọc thẻ", "Place your ID card on the card reader and leave it there"
	case wire.StepReading:
		title, en = "Đang đọc thẻ… Xin đừng nhấc thẻ ra", "Reading the card… please do not remove it"
		if v.Citizen != nil && v.Citizen.FullName != "" {
			// Identity first: the name is read and its hashes checked; the rest of the card
			// (face, chip authentication) still needs the card on the reader.
			title, en = "Xin chào "+v.Citizen.FullName, "Hello. Verifying the card: keep it still on the reader"
		}
	}
	var btns []choice
	if v.Step != wire.StepReading {
		btns = append(btns, choice{"Nhập số định danh", "Type the ID number", widget.Secondary, a.act(wire.ActTypeKey, "")})
	}
	r := a.page(f, title, en, true, btns...)
	if v.Step == wire.StepReading {
		s := min(r.Dx(), r.Dy()) / 2
		f.Custom(image.Rect(r.Min.X+r.Dx()/2-s/2, r.Min.Y+r.Dy()/2-s/2, r.Min.X+r.Dx()/2+s/2, r.Min.Y+r.Dy()/2+s/2), spinner(a.th))
		return
	}
	// The animation's own rectangle is only as wide as the reader: each step redraws just that.
	half := min(r.Dx()*2/5, 560) * 6 / 10
	cx := r.Min.X + r.Dx()/2
	f.Custom(image.Rect(cx-half, r.Min.Y, cx+half, r.Max.Y), a.cardAnimation(v.Step == wire.StepQR))
	_ = p
}

// cardAnimation shows a card moving onto the reader and resting there: for the QR step the card
// shows its QR side, for the chip step its chip.
func (a *App) cardAnimation(qr bool) func(dst *ebiten.Image, r image.Rectangle, tick int) {
	p := a.th.Palette
	return func(dst *ebiten.Image, r image.Rectangle, tick int) {
		cw := r.Dx() * 10 / 12 // r is the reader's width, 1.2 cards
		ch := cw * 54 / 86
		cx := r.Min.X + r.Dx()/2
		reader := image.Rect(cx-cw*6/10, r.Max.Y-ch/2-20, cx+cw*6/10, r.Max.Y-20)
		fillRect(dst, reader, p.Muted)
		// 3 s cycle: 1.5 s moving down, 1.5 s resting on the reader.
		t := float64(tick%(3*TPS)) / float64(TPS*3/2)
		t = math.Min(t, 1)
		top := r.Min.Y + int(t*float64(reader.Min.Y-ch/3-r.Min.Y))
		card := image.Rect(cx-cw/2, top, cx+cw/2, top+ch)
		fillRect(dst, card, p.Accent)
		strokeRect(dst, card, 6, p.Fg)
		if qr {
			q := card.Inset(ch / 5)
			q.Min.X = q.Max.X - q.Dy()
			fillRect(dst, q, color.RGBA{0xFF, 0xFF, 0xFF, 0xFF})
			for i := range 5 {
				for j := range 5 {
					if (i*3+j*7)%4 != 0 {
						s := q.Dx() / 6
						fillRect(dst, image.Rect(q.Min.X+s/2+i*s, q.Min.Y+s/2+j*s, q.Min.X+s/2+i*s+s-2, q.Min.Y+s/2+j*s+s-2), color.RGBA{0, 0, 0, 0xFF})
					}
				}
			}
		} else {
			chip := image.Rect(card.Min.X+cw/8, card.Min.Y+ch/3, card.Min.X+cw/8+cw/6, card.Min.Y+ch/3+cw/7)
			fillRect(dst, chip, color.RGBA{0xE0, 0xB0, 0x30, 0xFF})
		}
	}
}

// entryLine draws the text being typed in a box, and moves r below it.
func (a *App) entryLine(f *widget.Frame, r *image.Rectangle, value, hint string) {
	p := a.th.Palette
	shown, clr := value+"|", p.Fg // the caret (Noto Sans has no block characters)
	if value == "" {
		shown, clr = hint, p.Muted
	}
	h := f.TextHeight(shown, theme.Title, false, r.Dx()-2*gap) + 2*gap
	f.Box(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+h), p.Panel, p.Accent)
	f.Text(image.Rect(r.Min.X+gap, r.Min.Y+gap, r.Max.X-gap, r.Min.Y+gap), shown, theme.Title, false, widget.Start, clr)
	r.Min.Y += h + gap
}

func (a *App) choose(f *widget.Frame) {
	v := a.view
	if v.Step == wire.StepProcedure {
		a.procedureDetail(f)
		return
	}
	if a.searching != nil {
		kb := a.searching
		r := a.page(f, "Tìm thủ tục", "Search for a procedure: type a few words", true,
			choice{"Tìm", "Search", widget.Primary, func() {
				a.act(wire.ActSearch, kb.Text())()
				a.searching = nil
				a.changed()
			}})
		a.entryLine(f, &r, kb.Text(), "Ví dụ: khai sinh, tạm trú")
		kb.Layout(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+640)), a.changed)
		return
	}
	search := "Tìm thủ tục"
	if v.Query != "" {
		search = "Tìm: " + v.Query
	}
	r := a.page(f, "Chọn thủ tục bạn cần làm", "Choose the procedure", true,
		choice{"Chỉ cần đến quầy", "Take a number", widget.Secondary, a.act(wire.ActQueue, "")},
		choice{search, "Search", widget.Secondary, func() {
			a.searching = widget.NewKeyboard(widget.Letters, v.Query)
			a.changed()
		}})
	procs := append([]wire.ProcedureView(nil), v.Procedures...)
	if v.Query == "" {
		sort.SliceStable(procs, func(i, j int) bool { return procs[i].Popular && !procs[j].Popular })
	}
	if len(procs) == 0 {
		f.Text(r, "Không tìm thấy thủ tục nào. Hãy thử từ khác. (No procedure found.)", theme.Body, false, widget.Center, a.th.Muted)
		return
	}
	f.BeginScroll("procedures", r)
	y := r.Min.Y
	for _, pr := range procs {
		sub := fmt.Sprintf("%d giấy tờ", pr.Documents)
		if pr.Fee != "" {
			sub += " · Lệ phí: " + pr.Fee
		}
		if pr.ProcessingTime != "" {
			sub += " · " + pr.ProcessingTime
		}
		if pr.Popular && v.Query == "" {
			sub = "Hay dùng · " + sub
		}
		h := f.TextHeight(pr.Name, theme.Body, true, r.Dx()-60) + f.TextHeight(sub, theme.Small, false, r.Dx()-60) + 48
		f.Button(image.Rect(r.Min.X, y, r.Max.X-16, y+h), pr.Name, sub, widget.Row, a.act(wire.ActProcedure, pr.Code))
		y += h + 16
	}
	f.EndScroll()
}

// docStatus is how a checklist line reads.
func docStatus(d wire.DocumentView) (string, bool) {
	switch d.Status {
	case "done":
		return "Đã xong", true
	case "scanned":
		return "Đã quét", true
	case "processing":
		return "Đang xử lý " + pct(d.Progress), true
	case "skipped":
		return "Bỏ qua", true
	case "failed":
		return "Lỗi, cần quét lại", false
	}
	if d.Required {
		return "Còn thiếu", false
	}
	return "Không bắt buộc", false
}

func (a *App) documents(f *widget.Frame) {
	p := a.th.Palette
	v := a.view
	if a.svc != nil && a.svc.checklist {
		a.checklist(f)
		return
	}
	var cur wire.DocumentView
	if v.Current >= 0 && v.Current < len(v.Documents) {
		cur = v.Documents[v.Current]
	}
	var btns []choice
	title, en := "Đặt giấy tờ lên máy quét: "+cur.Name, "Place the document face down on the scanner, then touch Quét"
	switch v.Step {
	case wire.StepPlace:
		if !cur.Required {
			btns = append(btns, choice{"Bỏ qua", "Skip (optional)", widget.Secondary, a.act(wire.ActSkip, "")})
		}
		btns = append(btns, choice{"Quét", "Scan", widget.Primary, a.act(wire.ActScan, "")})
	case wire.StepScanning:
		title, en = "Đang quét: "+cur.Name, "Scanning… please wait"
	case wire.StepPreview:
		title, en = "Kiểm tra trang vừa quét: "+cur.Name, "Check the scanned page"
		rescan := choice{"Quét lại", "Scan again", widget.Secondary, a.act(wire.ActRescan, "")}
		use := choice{"Dùng trang này", "Use this page", widget.Primary, a.act(wire.ActAccept, "")}
		if cur.Mismatch != nil && !cur.Kept {
			// The page looks like another paper: scanning again is what the kiosk advises.
			rescan.kind = widget.Primary
			use = choice{"Vẫn dùng trang này", "Keep this page anyway", widget.Secondary, a.act(wire.ActKeep, "")}
		}
		if !a.previewShown() {
			// The citizen accepts only a page they have seen: until the page is on screen the
			// button does nothing (no handler: no touch target).
			use.kind, use.sub, use.fn = widget.Secondary, "Chờ hiện ảnh trang (waiting for the page)", nil
		}
		btns = append(btns, rescan)
		if !cur.Required {
			btns = append(btns, choice{"Bỏ qua", "Skip", widget.Secondary, a.act(wire.ActSkip, "")})
		}
		btns = append(btns, use)
	}
	r := a.page(f, title, en, true, btns...)
	list, main := a.split(r, 0.36)
	// Checklist: what is still missing.
	f.BeginScroll("checklist", list)
	y := list.Min.Y
	for i, d := range v.Documents {
		st, ok := docStatus(d)
		h := f.TextHeight(d.Name, theme.Body, i == v.Current, list.Dx()-40) + f.TextHeight(st, theme.Small, true, list.Dx()-40) + 32
		fill, border := p.Panel, p.Border
		if i == v.Current {
			border = p.Accent
		}
		f.Box(image.Rect(list.Min.X, y, list.Max.X-16, y+h), fill, border)
		ty := y + 16
		ty += f.Text(image.Rect(list.Min.X+20, ty, list.Max.X-36, ty), d.Name, theme.Body, i == v.Current, widget.Start, p.Fg)
		sc := p.Danger
		if ok {
			sc = p.Ok
		}
		if !ok && !d.Required {
			sc = p.Muted
		}
		f.Text(image.Rect(list.Min.X+20, ty, list.Max.X-36, ty), st, theme.Small, true, widget.Start, sc)
		y += h + 12
	}
	f.EndScroll()
	switch v.Step {
	case wire.StepScanning:
		s := min(main.Dx(), main.Dy()) / 2
		c := image.Pt(main.Min.X+main.Dx()/2, main.Min.Y+main.Dy()/2)
		f.Custom(image.Rect(c.X-s/2, c.Y-s/2, c.X+s/2, c.Y+s/2), spinner(a.th))
	case wire.StepPreview:
		y := main.Min.Y
		for _, q := range cur.Quality {
			y += f.Text(image.Rect(main.Min.X, y, main.Max.X, y), "Lưu ý: "+q.Message, theme.Body, true, widget.Start, p.Danger)
		}
		if img := a.previews[a.previewKey()]; img != nil {
			f.Image(image.Rect(main.Min.X, y+8, main.Max.X, main.Max.Y), img)
		} else {
			f.Text(image.Rect(main.Min.X, y+40, main.Max.X, y+40), "Đang tải ảnh trang…", theme.Body, false, widget.Center, p.Muted)
		}
		if cur.Pages > 1 {
			f.Text(image.Rect(main.Min.X, main.Max.Y-60, main.Max.X, main.Max.Y), fmt.Sprintf("%d trang", cur.Pages), theme.Small, true, widget.End, p.Muted)
		}
	default:
		if v.Step == wire.StepPlace {
			main = a.checklistRow(f, main) // "Cần mang theo" (what to bring), below the picture
		}
		half := min(main.Dx()*3/5, main.Dy()*3/5) * 6 / 10 // as wide as the scanner glass
		cx := main.Min.X + main.Dx()/2
		f.Custom(image.Rect(cx-half, main.Min.Y, cx+half, main.Max.Y), a.paperAnimation())
	}
}

// previewKey names the page the preview screen shows: the last page scanned of the current document.
func (a *App) previewKey() [2]int {
	v := a.view
	pages := 0
	if v.Current >= 0 && v.Current < len(v.Documents) {
		pages = v.Documents[v.Current].Pages
	}
	return [2]int{v.Current, max(pages-1, 0)}
}

// previewShown reports whether the preview screen draws the page the citizen is asked to accept:
// the frame that draws it is the first whose accept button can be touched.
func (a *App) previewShown() bool { return a.previews[a.previewKey()] != nil }

// paperAnimation shows a sheet going face down onto the scanner glass.
func (a *App) paperAnimation() func(dst *ebiten.Image, r image.Rectangle, tick int) {
	p := a.th.Palette
	return func(dst *ebiten.Image, r image.Rectangle, tick int) {
		w := r.Dx() * 10 / 12 // r is the glass's width, 1.2 sheets
		cx := r.Min.X + r.Dx()/2
		glass := image.Rect(cx-w*6/10, r.Max.Y-w/3, cx+w*6/10, r.Max.Y-w/6)
		fillRect(dst, glass, p.Muted)
		t := math.Min(float64(tick%(3*TPS))/float64(TPS*3/2), 1)
		ph := w / 6
		top := r.Min.Y + int(t*float64(glass.Min.Y-ph-r.Min.Y))
		sheet := image.Rect(cx-w/2, top, cx+w/2, top+ph)
		fillRect(dst, sheet, color.RGBA{0xFF, 0xFF, 0xFF, 0xFF})
		strokeRect(dst, sheet, 4, p.Fg)
	}
}

func sourceBadge(s wire.FieldSource) string {
	switch s {
	case "card":
		return "Từ thẻ Căn cước"
	case "ocr":
		return "Đọc từ giấy tờ"
	case "citizen":
		return "Bạn đã nhập"
	}
	return ""
}

func (a *App) review(f *widget.Frame) {
	p := a.th.Palette
	v := a.view
	if v.Step == wire.StepProcessing {
		r := a.page(f, "Đang đọc giấy tờ của bạn…", "Reading your documents… please wait", true)
		y := r.Min.Y
		for _, d := range v.Documents {
			st, _ := docStatus(d)
			y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), d.Name+": "+st, theme.Body, false, widget.Start, p.Fg) + 8
		}
		s := min(r.Dx(), r.Max.Y-y) / 2
		if s > 80 {
			c := image.Pt(r.Min.X+r.Dx()/2, y+(r.Max.Y-y)/2)
			f.Custom(image.Rect(c.X-s/2, c.Y-s/2, c.X+s/2, c.Y+s/2), spinner(a.th))
		}
		return
	}
	if a.edit != nil {
		a.fieldEditor(f)
		return
	}
	r := a.page(f, "Kiểm tra thông tin trong tờ khai", "Check the form: touch a line to correct it", true,
		choice{"Quay lại", "Back", widget.Secondary, a.act(wire.ActBack, "")},
		choice{"Tiếp tục", "Continue", widget.Primary, a.act(wire.ActConfirm, "")})
	f.BeginScroll("form", r)
	y := r.Min.Y
	for _, fv := range v.Form {
		label := fv.Label
		if fv.Required {
			label += " *"
		}
		value := fv.Value
		if value == "" {
			value = "(chưa có — chạm để nhập)"
		}
		sub := sourceBadge(fv.Source)
		if fv.LowConfidence {
			sub = "Cần kiểm tra lại · " + sub
		}
		if fv.Error != "" {
			sub = "Lỗi: " + fv.Error
		}
		inner := r.Dx() - 60
		h := f.TextHeight(label, theme.Small, false, inner) + f.TextHeight(value, theme.Body, true, inner) + f.TextHeight(sub, theme.Small, true, inner) + 40
		box := image.Rect(r.Min.X, y, r.Max.X-16, y+h)
		fill, border := p.Panel, p.Border
		if fv.LowConfidence {
			fill, border = p.Highlight, p.Fg
		}
		if fv.Error != "" {
			border = p.Danger
		}
		f.Box(box, fill, border)
		fv := fv
		f.Button(box, fv.Label, "", widget.Area, func() { a.openEditor(fv) })
		ty := y + 20
		ty += f.Text(image.Rect(box.Min.X+24, ty, box.Max.X-24, ty), label, theme.Small, false, widget.Start, p.Muted)
		ty += f.Text(image.Rect(box.Min.X+24, ty, box.Max.X-24, ty), value, theme.Body, true, widget.Start, p.Fg)
		sc := p.Muted
		if fv.Error != "" || fv.LowConfidence {
			sc = p.Danger
		}
		f.Text(image.Rect(box.Min.X+24, ty, box.Max.X-24, ty), sub, theme.Small, true, widget.Start, sc)
		y += h + 12
	}
	f.EndScroll()
}

func (a *App) openEditor(fv wire.FieldView) {
	e := &editor{key: fv.Key, label: fv.Label, kind: string(fv.Kind), choice: fv.Choices}
	switch fv.Kind {
	case "date":
		e.kb = widget.NewKeyboard(widget.Date, fv.Value)
	case "number":
		e.kb = widget.NewKeyboard(widget.Digits, fv.Value)
	case "choice":
	default:
		e.kind = "text"
		e.kb = widget.NewKeyboard(widget.Letters, fv.Value)
	}
	a.edit = e
	a.changed()
}

// longList is the length from which a choice list can be searched (provinces, communes).
const longList = 12

func (a *App) fieldEditor(f *widget.Frame) {
	e := a.edit
	closeEd := func() { a.edit = nil; a.changed() }
	if e.kind == "choice" && e.find != nil {
		kb := e.find
		r := a.page(f, "Tìm trong danh sách: "+e.label, "Type a few letters of the name, then touch Tìm", false,
			choice{"Quay lại", "Back", widget.Secondary, func() { e.find = nil; a.changed() }},
			choice{"Tìm", "Search", widget.Primary, func() {
				e.query, e.find = strings.TrimSpace(kb.Text()), nil
				a.offsets["choices"] = 0
				a.changed()
			}})
		a.entryLine(f, &r, kb.Text(), "Ví dụ: thanh xuan")
		kb.Layout(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+640)), a.changed)
		return
	}
	if e.kind == "choice" {
		btns := []choice{{"Quay lại", "Back", widget.Secondary, closeEd}}
		if len(e.choice) > longList {
			label := "Tìm"
			if e.query != "" {
				label = "Tìm: " + e.query
			}
			btns = append(btns, choice{label, "Search the list", widget.Secondary, func() {
				e.find = widget.NewKeyboard(widget.Letters, e.query)
				a.changed()
			}})
		}
		r := a.page(f, e.label, "Choose one", false, btns...)
		shown := e.choice
		if e.query != "" {
			shown = nil
			q := vntext.Fold(e.query)
			for _, c := range e.choice {
				if strings.Contains(vntext.Fold(c), q) {
					shown = append(shown, c)
				}
			}
			if len(shown) == 0 {
				f.Text(r, "Không có tên nào khớp. Hãy tìm từ khác. (Nothing matches.)", theme.Body, false, widget.Center, a.th.Muted)
				return
			}
		}
		f.BeginScroll("choices", r)
		y := r.Min.Y
		for _, c := range shown {
			h := f.TextHeight(c, theme.Body, false, r.Dx()-60) + 48
			f.Button(image.Rect(r.Min.X, y, r.Max.X-16, y+h), c, "", widget.Row, func() {
				a.setField(e.key, c)
				closeEd()
			})
			y += h + 16
		}
		f.EndScroll()
		return
	}
	hint := map[string]string{"date": "ngày/tháng/năm, ví dụ 01/03/1990", "number": "chỉ gồm chữ số"}[e.kind]
	r := a.page(f, e.label, "Type the value, then touch Lưu (save)", false,
		choice{"Quay lại", "Back", widget.Secondary, closeEd},
		choice{"Lưu", "Save", widget.Primary, func() {
			a.setField(e.key, e.kb.Text())
			closeEd()
		}})
	a.entryLine(f, &r, e.kb.Text(), hint)
	kh := 640
	if e.kind != "text" {
		kh = 580
	}
	e.kb.Layout(f, image.Rect(r.Min.X, r.Min.Y, r.Max.X, min(r.Max.Y, r.Min.Y+kh)), a.changed)
}

func (a *App) consent(f *widget.Frame) {
	p := a.th.Palette
	if a.svc != nil && (a.svc.typing == "phone" || a.svc.typing == "email") {
		a.contactEntry(f)
		return
	}
	r := a.page(f, "Đồng ý và nộp hồ sơ", "Consent and submit", true,
		choice{"Quay lại", "Back", widget.Secondary, a.act(wire.ActBack, "")},
		choice{"Đồng ý", "I agree", widget.Primary, a.act(wire.ActAgree, "")})
	name := ""
	if v := a.view.Procedure; v != nil {
		name = v.Name
	}
	body := "Tôi xin cam đoan những thông tin đã khai là đúng sự thật và đồng ý để cơ quan giải quyết thủ tục " +
		"sử dụng thông tin cá nhân trong hồ sơ này theo quy định của pháp luật về bảo vệ dữ liệu cá nhân."
	if nv := a.services().Notify; nv != nil {
		// The opt-in to status messages beside (or below) the declaration.
		var opt image.Rectangle
		r, opt = a.split(r, 0.5)
		a.notifyBlock(f, opt, nv)
	}
	y := r.Min.Y
	if name != "" {
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Thủ tục: "+name, theme.Body, true, widget.Start, p.Fg) + gap
	}
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), body, theme.Body, false, widget.Start, p.Fg) + gap
	f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "I confirm the information is true and agree to its use for this procedure under the personal data protection law.", theme.Small, false, widget.Start, p.Muted)
}

func (a *App) submitting(f *widget.Frame) {
	r := a.page(f, "Đang nộp hồ sơ…", "Submitting your dossier… please wait, do not leave", false)
	s := min(r.Dx(), r.Dy()) / 2
	c := image.Pt(r.Min.X+r.Dx()/2, r.Min.Y+r.Dy()/2)
	f.Custom(image.Rect(c.X-s/2, c.Y-s/2, c.X+s/2, c.Y+s/2), spinner(a.th))
}

func (a *App) receipt(f *widget.Frame) {
	p := a.th.Palette
	v := a.view
	title, en := "Hồ sơ của bạn đã được tiếp nhận", "Your dossier has been received"
	var btns []choice
	switch {
	case v.Step == wire.StepPrinting:
		title, en = "Đang in giấy tiếp nhận…", "Printing your receipt…"
	case v.State == wire.Done || v.Step == wire.StepPrinted || v.Step == wire.StepPrintFail:
		if a.services().QueueOffered {
			btns = append(btns, choice{"Lấy số thứ tự", "Take a queue number", widget.Primary, a.act(wire.ActQueue, "")})
		}
		btns = append(btns, choice{"Hoàn tất", "Finish", widget.Primary, a.act(wire.ActFinish, "")})
	}
	r := a.page(f, title, en, false, btns...)
	y := r.Min.Y
	if rc := v.Receipt; rc != nil {
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Mã hồ sơ (dossier code)", theme.Body, false, widget.Center, p.Muted)
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), rc.DossierCode, theme.Huge, true, widget.Center, p.Fg)
		if rc.Provisional {
			y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Mã tạm thời: mã chính thức sẽ có khi hệ thống tỉnh xác nhận (provisional code)", theme.Body, true, widget.Center, p.Danger)
		}
		y += gap
	}
	switch {
	case v.Step == wire.StepPrintFail:
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Máy in chưa in được giấy tiếp nhận. Hồ sơ của bạn vẫn đã được nộp. "+
			"Hãy ghi lại hoặc chụp ảnh mã hồ sơ trên đây và báo cán bộ tại quầy để in lại.", theme.Body, true, widget.Start, p.Fg)
		f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "The receipt could not be printed; your dossier is submitted. Note the code and ask the staff to reprint it.", theme.Small, false, widget.Start, p.Muted)
	case v.Step == wire.StepPrinting:
		s := min(r.Dx(), r.Max.Y-y) / 2
		if s > 60 {
			c := image.Pt(r.Min.X+r.Dx()/2, y+(r.Max.Y-y)/2)
			f.Custom(image.Rect(c.X-s/2, c.Y-s/2, c.X+s/2, c.Y+s/2), spinner(a.th))
		}
	default:
		y += f.Text(image.Rect(r.Min.X, y, r.Max.X, y), "Xin nhận giấy tiếp nhận, thẻ Căn cước và giấy tờ của bạn. (Take your receipt, ID card and papers.)", theme.Body, true, widget.Center, p.Fg)
		a.sessionOffers(f, image.Rect(r.Min.X, y+gap, r.Max.X, r.Max.Y))
	}
}

func (a *App) idle(f *widget.Frame) {
	p := a.th.Palette
	f.Modal()
	w, h := min(a.w-2*margin, 1200), 560
	box := image.Rect((a.w-w)/2, (a.h-h)/2, (a.w+w)/2, (a.h+h)/2)
	f.Box(box, p.Panel, p.Accent)
	in := box.Inset(48)
	y := in.Min.Y
	y += f.Text(image.Rect(in.Min.X, y, in.Max.X, y), "Bạn có cần thêm thời gian không?", theme.Title, true, widget.Center, p.Fg)
	y += f.Text(image.Rect(in.Min.X, y, in.Max.X, y), "Do you need more time?", theme.Small, false, widget.Center, p.Muted)
	// The countdown is drawn each redraw from the local clock.
	f.Custom(image.Rect(in.Min.X, y, in.Max.X, y+90), func(dst *ebiten.Image, r image.Rectangle, tick int) {
		s := fmt.Sprintf("Phiên sẽ kết thúc sau %d giây", a.secondsLeft())
		ff := widget.NewFrame(a.th, a.w, a.h, nil)
		ff.Text(r, s, theme.Body, true, widget.Center, p.Danger)
		ff.DrawOps(dst, 0)
	})
	f.Button(image.Rect(in.Min.X+in.Dx()/6, in.Max.Y-130, in.Max.X-in.Dx()/6, in.Max.Y), "Thêm thời gian", "More time", widget.Primary, a.act(wire.ActMoreTime, ""))
}
