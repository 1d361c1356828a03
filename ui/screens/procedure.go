package screens

import (
	"fmt"
	"image"
	"strings"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/ui/theme"
	"github.com/tramso/tramso/ui/widget"
)

// counts says how many originals and copies of a paper to bring ("1 bản chính, 2 bản sao"); ""
// when the catalogue does not say.
func counts(d wire.DocumentView) string {
	var parts []string
	if d.Originals > 0 {
		parts = append(parts, fmt.Sprintf("%d bản chính", d.Originals))
	}
	if d.Copies > 0 {
		parts = append(parts, fmt.Sprintf("%d bản sao", d.Copies))
	}
	return strings.Join(parts, ", ")
}

// countsLegend is the English of the counts' words, said once under the papers' heading.
const countsLegend = "bản chính: original · bản sao: copy"

// procedureDetail is a procedure's detail, shown when the citizen picks it from the list: what to
// bring (each paper with its originals and copies), the fee, the processing time, where to go and
// the QR code of its page; the citizen goes on with it here (Tiếp tục), prints the list or goes
// back to the list.
func (a *App) procedureDetail(f *widget.Frame) {
	v := a.view
	pr := wire.ProcedureView{}
	if v.Procedure != nil {
		pr = *v.Procedure
	}
	en := "What to bring, the fee and where to go"
	if pr.NameEn != "" {
		en = pr.NameEn + ": what to bring, the fee and where to go"
	}
	r := a.page(f, pr.Name, en, true,
		choice{"Quay lại", "Back to the list", widget.Secondary, a.act(wire.ActBack, "")},
		choice{"Tiếp tục", "Submit here", widget.Primary, a.act(wire.ActChoose, pr.Code)})
	papers, info := a.split(r, 0.55)
	if a.w < a.h {
		// Upright: the papers take the height they need (at most half, ending below a whole
		// paper), the rest goes below them.
		need, stops := a.paperList(f, image.Rectangle{}, papers.Dx(), v.Documents)
		if need > r.Dy()/2 {
			need = 0
			for _, s := range stops {
				if s <= r.Dy()/2 {
					need = s
				}
			}
		}
		papers.Max.Y = r.Min.Y + need
		info.Min.Y = papers.Max.Y + gap
	}
	if len(v.Documents) == 0 {
		// Nothing to list: no empty heading, the information takes the room.
		info = r
	} else {
		a.paperList(f, papers, papers.Dx(), v.Documents)
	}
	a.procedureInfo(f, info, pr)
}

// paperList draws the papers to bring with their counts in r, scrolling when they do not fit, and
// returns the height they take at width w with where a scrolling region may end without cutting a
// line (below the heading and below each paper, from the top); an empty r draws nothing (the
// height alone). A list that scrolls ends at the last of these that fits.
func (a *App) paperList(f *widget.Frame, r image.Rectangle, w int, docs []wire.DocumentView) (int, []int) {
	p := a.th.Palette
	if r.Empty() {
		// Measure on a frame of its own: nothing lands on the screen's.
		f = widget.NewFrame(a.th, a.w, a.h, nil)
		r = image.Rect(0, 0, w, a.h)
	} else if need, stops := a.paperList(f, image.Rectangle{}, r.Dx(), docs); need > r.Dy() {
		cut := 0
		for _, s := range stops {
			if s <= r.Dy() {
				cut = s
			}
		}
		r.Max.Y = r.Min.Y + cut
	}
	f.BeginScroll("papers", r)
	defer f.EndScroll()
	var stops []int
	y := r.Min.Y
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), "Giấy tờ cần mang", theme.Body, true, widget.Start, p.Fg)
	stops = append(stops, y-r.Min.Y)
	y += f.Text(image.Rect(r.Min.X, y, r.Max.X-16, y), "Papers to bring ("+countsLegend+")", theme.Small, false, widget.Start, p.Muted)
	stops = append(stops, y-r.Min.Y)
	y += gap / 2
	inner := r.Dx() - 16 - 2*gap
	for _, d := range docs {
		name := d.Name
		if !d.Required && !strings.Contains(name, "nếu có") {
			name += " (nếu có)"
		}
		sub := counts(d)
		if !d.Required {
			sub = strings.TrimPrefix(sub+" · Không bắt buộc (optional)", " · ")
		}
		const pad = 16
		one := f.TextHeight("Ag", theme.Body, true, inner)
		// The counts at the end of the name's line when both fit on it, else below the name.
		row := sub != "" && f.TextHeight(name+"     "+sub, theme.Body, true, inner) <= one
		h := f.TextHeight(name, theme.Body, true, inner) + 2*pad
		if sub != "" && !row {
			h += f.TextHeight(sub, theme.Body, false, inner)
		}
		f.Box(image.Rect(r.Min.X, y, r.Max.X-16, y+h), p.Panel, p.Border)
		ty := y + pad
		text := image.Rect(r.Min.X+gap, ty, r.Max.X-16-gap, ty)
		ty += f.Text(text, name, theme.Body, true, widget.Start, p.Fg)
		switch {
		case row:
			f.Text(text, sub, theme.Body, false, widget.End, p.Accent)
		case sub != "":
			f.Text(image.Rect(r.Min.X+gap, ty, r.Max.X-16-gap, ty), sub, theme.Body, false, widget.Start, p.Accent)
		}
		stops = append(stops, y+h-r.Min.Y)
		y += h + 12
	}
	return stops[len(stops)-1], stops
}

// procedureInfo draws the fee, the processing time and where to go with the button that prints
// the list below them, and the QR code of the procedure's page beside them, inside r. When the words
// do not fit above the button and the code leaves room, the button goes under the code instead.
func (a *App) procedureInfo(f *widget.Frame, r image.Rectangle, pr wire.ProcedureView) {
	p := a.th.Palette
	var paras []para
	line := func(label, value string) {
		if value != "" {
			paras = append(paras, a.label(label), para{s: value, size: theme.Body, bold: true, clr: p.Fg, after: gap / 3})
		}
	}
	line("Lệ phí (fee)", pr.Fee)
	line("Thời hạn giải quyết (processing time)", pr.ProcessingTime)
	line("Nơi nộp (where to go)", pr.Where)
	slip, clr := a.slipText()
	paras = append(paras, para{s: slip, size: theme.Body, bold: true, clr: clr})

	label, sub := "In danh sách giấy tờ", "Print what to bring"
	buttonH := func(w int) int {
		return max(footH, f.TextHeight(label, theme.Body, true, w-48)+f.TextHeight(sub, theme.Small, false, w-48)+24)
	}
	words, code := r, image.Rectangle{}
	if pr.PageURL != "" {
		qw := min(400, r.Dx()*2/5)
		code = image.Rect(r.Max.X-qw, r.Min.Y, r.Max.X, r.Max.Y)
		words.Max.X -= qw + gap
	}
	bh := buttonH(words.Dx())
	button := image.Rect(words.Min.X, words.Max.Y-bh, words.Max.X, words.Max.Y)
	if !code.Empty() && a.columnHeight(paras, words.Dx()) > words.Dy()-bh-gap {
		if h := buttonH(code.Dx()); a.pageQRSide(f, code.Dx(), code.Dy()-h-gap) >= 240 {
			button = image.Rect(code.Min.X, code.Max.Y-h, code.Max.X, code.Max.Y)
			code.Max.Y = button.Min.Y - gap
		}
	}
	if button.Min.X == words.Min.X {
		words.Max.Y = button.Min.Y - gap
	}
	if !code.Empty() {
		a.pageQR(f, code, pr.PageURL)
	}
	f.Button(button, label, sub, widget.Secondary, a.act(wire.ActPrintChecklist, pr.Code))
	// The words scroll when they do not fit (large text), never cut at the edge; the code and the
	// button never scroll.
	a.column(f, "procedure-info", words, paras)
}

// procedureSpeech reads a procedure's detail out: the papers with their counts, the fee, the time,
// where to go, and the three buttons.
func procedureSpeech(v wire.View) string {
	var say []string
	if pr := v.Procedure; pr != nil && pr.Name != "" {
		say = append(say, "Thủ tục "+pr.Name+".")
	}
	if len(v.Documents) > 0 {
		names := make([]string, len(v.Documents))
		for i, d := range v.Documents {
			names[i] = d.Name
			if c := counts(d); c != "" {
				names[i] += ", " + c
			}
			if !d.Required && !strings.Contains(d.Name, "nếu có") {
				names[i] += ", nếu có"
			}
		}
		say = append(say, "Cần mang theo: "+strings.Join(names, "; ")+".")
	}
	if pr := v.Procedure; pr != nil {
		if pr.Fee != "" {
			say = append(say, "Lệ phí: "+pr.Fee+".")
		}
		if pr.ProcessingTime != "" {
			say = append(say, "Thời hạn giải quyết: "+pr.ProcessingTime+".")
		}
		if pr.Where != "" {
			say = append(say, "Nơi nộp: "+pr.Where+".")
		}
	}
	say = append(say, "Muốn nộp hồ sơ tại kiosk, chạm Tiếp tục. Muốn in danh sách giấy tờ, chạm In danh sách giấy tờ. Muốn chọn thủ tục khác, chạm Quay lại.")
	return strings.Join(say, " ")
}
