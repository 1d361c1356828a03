package fields

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"regexp"
	"sort"
	"strings"

	"github.com/otiai10/gosseract/v2"
	"github.com/tramso/tramso/ocr"
	"github.com/tramso/tramso/ocr/engine"
	"github.com/tramso/tramso/ocr/preprocess"
)

// CardSide says which side of an ID card a page shows.
type CardSide string

// Card sides; NoCard when the page shows neither side's labels nor a machine-readable zone.
const (
	Front  CardSide = "front"
	Back   CardSide = "back"
	NoCard CardSide = ""
)

// Value is one extracted value with its confidence (0–1), as kioskctl prints it.
type Value struct {
	Value      string  `json:"value"`
	Confidence float64 `json:"confidence"`
}

// Card is what was read from one side of an ID card. Front fields: idNumber, fullName, dateOfBirth,
// sex, nationality, placeOfOrigin, placeOfResidence, expiryDate ("" for "Không thời hạn"). Back
// fields: issueDate, identifyingMarks, and MRZ (documentNumber, idNumber, dateOfBirth, expiryDate,
// sex) when the zone's check digits hold. A field not found is absent.
type Card struct {
	Side   CardSide
	Fields map[string]Value
	MRZ    map[string]Value // nil when no zone was read
}

// Recognizer reads a cut-out region of a page; *engine.Pool satisfies it.
type Recognizer interface {
	Recognize(ctx context.Context, img *image.Gray, dpi float64) (*engine.Result, error)
}

// CardReaders are the engines regions of a card are read again with. Either may be nil, and then
// only the page's own OCR is used.
type CardReaders struct {
	// Digits reads the ID number printed in red, which page preprocessing fades away as stamp ink.
	Digits Recognizer
	// MRZ reads the machine-readable zone with the MRZ alphabet only.
	MRZ Recognizer
	// Page reads the whole preprocessed card again, enlarged twice: card text is small (5–7 pt),
	// and Tesseract reads it better at twice the size.
	Page Recognizer
}

// Whitelists for the engines of CardReaders.
const (
	DigitsWhitelist = "0123456789"
	MRZWhitelist    = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
)

// NewCardReaders makes one Tesseract engine of each kind; Close them with the returned function.
func NewCardReaders() (CardReaders, func()) {
	d := engine.NewPool(engine.Options{Languages: []string{"eng"}, Size: 1, Whitelist: DigitsWhitelist, PSM: gosseract.PSM_SINGLE_LINE})
	m := engine.NewPool(engine.Options{Languages: []string{"eng"}, Size: 1, Whitelist: MRZWhitelist, PSM: gosseract.PSM_SINGLE_BLOCK})
	pg := engine.NewPool(engine.Options{Languages: []string{"vie"}})
	return CardReaders{Digits: d, MRZ: m, Page: pg}, func() { d.Close(); m.Close(); pg.Close() }
}

// cardLabels are the printed labels of both sides (2021 CCCD and 2024 Căn cước), in one set so that
// the longest label wins between sides too ("Ngày, tháng, năm sinh" over "Ngày, tháng, năm").
var cardLabels = []Label{
	{Key: "idNumber", Kind: IDNum, Labels: []string{"Số / No.", "Số/No.", "Số định danh cá nhân / Personal identification number",
		"Số định danh cá nhân", "Personal identification number"}},
	{Key: "fullName", Labels: []string{"Họ và tên / Full name", "Họ, chữ đệm và tên khai sinh / Full name", "Họ, chữ đệm và tên khai sinh", "Họ và tên", "Full name"}},
	{Key: "dateOfBirth", Kind: Date, Labels: []string{"Ngày sinh / Date of birth", "Ngày, tháng, năm sinh / Date of birth", "Ngày, tháng, năm sinh", "Ngày sinh", "Date of birth"}},
	{Key: "sex", Kind: Sex, Labels: []string{"Giới tính / Sex", "Giới tính", "Sex"}},
	{Key: "nationality", Labels: []string{"Quốc tịch / Nationality", "Quốc tịch", "Nationality"}},
	{Key: "placeOfOrigin", Labels: []string{"Quê quán / Place of origin", "Quê quán", "Place of origin"}},
	{Key: "placeOfResidence", Labels: []string{"Nơi thường trú / Place of residence", "Nơi cư trú / Place of residence", "Nơi thường trú", "Nơi cư trú", "Place of residence"}},
	{Key: "expiryDate", Kind: Expiry, Labels: []string{"Có giá trị đến / Date of expiry", "Có giá trị đến", "Ngày, tháng, năm hết hạn / Date of expiry", "Date of expiry"}},
	{Key: "identifyingMarks", Labels: []string{"Đặc điểm nhân dạng / Personal identification", "Đặc điểm nhận dạng / Personal identification",
		"Đặc điểm nhân dạng", "Đặc điểm nhận dạng", "Personal identification"}},
	{Key: "issueDate", Kind: Date, Labels: []string{"Ngày, tháng, năm / Date, month, year", "Ngày, tháng, năm cấp / Date of issue", "Ngày, tháng, năm", "Date, month, year", "Date of issue", "Ngày cấp"}},
}

var (
	frontKeys = []string{"idNumber", "fullName", "dateOfBirth", "sex", "nationality", "placeOfOrigin", "placeOfResidence", "expiryDate"}
	backKeys  = []string{"issueDate", "identifyingMarks"}
)

// Processor runs the OCR pipeline on a page; *ocr.Pipeline satisfies it.
type Processor interface {
	Process(ctx context.Context, img image.Image, dpi float64) (*ocr.Result, error)
}

// ReadCardImage processes an image of one side of a card and reads it. A page on which little of a
// card is found is read once more turned over, and the better reading is kept. An unknown
// resolution is taken from the card's size when the image is card-shaped.
func ReadCardImage(ctx context.Context, p Processor, rd CardReaders, img image.Image, dpi float64) (*ocr.Result, *Card, error) {
	if dpi <= 0 {
		dpi = CardDPI(img.Bounds())
	}
	res, err := p.Process(ctx, img, dpi)
	if err != nil {
		return nil, nil, err
	}
	card, err := ReadCard(ctx, res, img, rd)
	if err != nil || card.score() >= 4 || rd.Page != nil {
		return res, card, err // with rd.Page, ReadCard has already tried the page turned over
	}
	turned := rotate180(img)
	res2, err := p.Process(ctx, turned, dpi)
	if err != nil {
		return res, card, nil
	}
	card2, err := ReadCard(ctx, res2, turned, rd)
	if err != nil || card2.score() <= card.score() {
		return res, card, nil
	}
	return res2, card2, nil
}

func (c *Card) score() int { return len(c.Fields) + len(c.MRZ) }

// CardDPI estimates the resolution of an image that shows only an ID-1 card (85.6 × 53.98 mm), or
// returns 0 when the image is not card-shaped.
func CardDPI(b image.Rectangle) float64 {
	w, h := float64(b.Dx()), float64(b.Dy())
	if h > w {
		w, h = h, w
	}
	if h == 0 || w/h < 1.45 || w/h > 1.75 {
		return 0
	}
	return w / (85.6 / 25.4)
}

func rotate180(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.X-1-(x-b.Min.X), b.Max.Y-1-(y-b.Min.Y), img.At(x, y))
		}
	}
	return out
}

// ReadCard reads the fields of one side of a card from a processed page and the image it was made
// from (nil when not at hand: the red ID number is then read only from the page). The side is
// decided by what is on the page. Re-reading regions with rd is skipped for readers that are nil.
func ReadCard(ctx context.Context, r *ocr.Result, img image.Image, rd CardReaders) (*Card, error) {
	v := cardView{words: r.Words, text: r.Text, turns: r.Rotation / 90}
	if r.Page != nil {
		v.gray, v.bin, v.dpi = r.Page.Gray, r.Page.Binary, r.Page.DPI
	}
	card, err := readView(ctx, v, r.Words, img, rd)
	if err != nil || card.score() >= 4 || rd.Page == nil || v.gray == nil || v.bin == nil {
		return card, err
	}
	// little of a card found: the page may have been turned the wrong way up; read it turned over
	t := cardView{gray: preprocess.Rotate90(v.gray, 2), bin: preprocess.Rotate90(v.bin, 2), dpi: v.dpi, turns: v.turns + 2}
	card2, err := readView(ctx, t, nil, img, rd)
	if err != nil || card2.score() <= card.score() {
		return card, err
	}
	return card2, nil
}

// cardView is a processed card page in one orientation.
type cardView struct {
	words     []engine.Word // nil: read from gray
	text      string
	gray, bin *image.Gray
	dpi       float64
	turns     int // quarter turns clockwise from the scanned image to this view
}

// readView reads the card in one view; pageWords, when given, fill in fields the view's own
// reading missed.
func readView(ctx context.Context, v cardView, pageWords []engine.Word, img image.Image, rd CardReaders) (*Card, error) {
	words, text, err := cardWords(ctx, v, rd)
	if err != nil {
		return nil, err
	}
	lines := LinesFromWords(words)
	found := extract(lines, cardLabels, 0)
	if rd.Page != nil && v.bin != nil && v.gray != nil {
		// a second enlarged reading, of the cleaned bilevel page: each field is taken from the
		// reading that is surer of it
		bw, bt, err := cardWords(ctx, cardView{gray: v.bin, dpi: v.dpi}, rd)
		if err != nil {
			return nil, err
		}
		for k, f := range extract(LinesFromWords(bw), cardLabels, 0) {
			if g, ok := found[k]; !ok || f.Conf > g.Conf {
				found[k] = f
			}
		}
		text += "\n" + bt
	}
	if len(pageWords) > 0 && (len(words) == 0 || &words[0] != &pageWords[0]) {
		// what the enlarged readings missed, the page's own reading may have
		for k, f := range extract(LinesFromWords(pageWords), cardLabels, 0) {
			if _, ok := found[k]; !ok {
				found[k] = f
			}
		}
	}
	card := &Card{Fields: map[string]Value{}}
	nFront, nBack := 0, 0
	for _, k := range frontKeys {
		if _, ok := found[k]; ok {
			nFront++
		}
	}
	for _, k := range backKeys {
		if _, ok := found[k]; ok {
			nBack++
		}
	}
	// the machine-readable zone: read again with the MRZ alphabet, else from the page's text
	var zone *MRZ
	if rd.MRZ != nil && v.bin != nil && nFront < 3 {
		if crop, ok := mrzRegion(lines, v.bin); ok {
			res, err := rd.MRZ.Recognize(ctx, crop, v.dpi)
			if err != nil {
				return nil, fmt.Errorf("không đọc được vùng MRZ (cannot read the machine-readable zone): %w", err)
			}
			if m, err := ParseMRZ(res.Text()); err == nil {
				zone = m
			}
		}
	}
	if m, err := ParseMRZ(text); err == nil && (zone == nil || m.checks() > zone.checks()) {
		zone = m
	}
	if zone != nil && (zone.checks() < 3 || !zone.DocOK) {
		zone = nil // one or two check digits holding may be chance
	}
	switch {
	case nFront >= 2 && nFront > nBack:
		card.Side = Front
	case nBack >= 1 || zone != nil:
		card.Side = Back
	default:
		return card, nil
	}
	if card.Side == Back {
		for _, k := range backKeys {
			if f, ok := found[k]; ok {
				card.Fields[k] = Value{f.Value, f.Conf}
			}
		}
		if f, ok := card.Fields["identifyingMarks"]; ok {
			f.Value = FixMarks(f.Value)
			card.Fields["identifyingMarks"] = f
		}
		if zone != nil {
			card.MRZ = zone.Values()
		}
		return card, nil
	}
	for _, k := range frontKeys {
		if f, ok := found[k]; ok {
			card.Fields[k] = Value{f.Value, f.Conf}
		}
	}
	if f, ok := card.Fields["fullName"]; ok {
		f.Value = FixName(strings.ToUpper(f.Value))
		card.Fields["fullName"] = f
	}
	for _, k := range []string{"placeOfOrigin", "placeOfResidence"} {
		if f, ok := card.Fields[k]; ok {
			f.Value = addressCommas(fixAdminWords(f.Value))
			card.Fields[k] = f
		}
	}
	if f, ok := card.Fields["nationality"]; ok && string(Fold(f.Value)) == "viet nam" {
		f.Value = "Việt Nam"
		card.Fields["nationality"] = f
	}
	// a card expires on a birthday (at 14, 25, 40 or 60): a day or month read wrong is put right
	if e, b := card.Fields["expiryDate"], card.Fields["dateOfBirth"]; len(e.Value) == 10 && len(b.Value) == 10 {
		ey, by := e.Value[:4], atoi(b.Value[:4])
		var years []string
		for _, age := range []int{14, 25, 40, 60} {
			y := fmt.Sprint(by + age)
			if y == ey {
				years = []string{y}
				break
			}
			if d := digitDiff(y, ey); d == 1 && e.Value[4:] == b.Value[4:] {
				years = append(years, y) // one digit of the year read wrong
			}
		}
		if len(years) == 1 && validDate(atoi(years[0]), atoi(b.Value[5:7]), atoi(b.Value[8:])) {
			if v := years[0] + b.Value[4:]; v != e.Value {
				e.Value = v
				e.Confidence = round2(e.Confidence * 0.8)
				card.Fields["expiryDate"] = e
			}
		}
	}
	// the red ID number, read again from the colour page
	if rd.Digits != nil && img != nil {
		dpi := CardDPI(img.Bounds())
		if dpi == 0 {
			dpi = v.dpi
		}
		id, conf, err := redDigits(ctx, rd.Digits, img, dpi, v.turns)
		if err != nil {
			return nil, err
		}
		if id != "" {
			card.Fields["idNumber"] = Value{id, round2(conf)}
		}
	}
	if f, ok := card.Fields["idNumber"]; ok {
		birth, sex := card.Fields["dateOfBirth"].Value, card.Fields["sex"].Value
		switch {
		case len(f.Value) != 12:
			delete(card.Fields, "idNumber")
		case !idAgrees(f.Value, birth, sex) || !provinceCodes[f.Value[:3]]:
			// one digit read as a look-alike, in the parts that can be checked
			if fixed := fixID(f.Value, birth, sex); fixed != "" {
				f.Value, f.Confidence = fixed, round2(f.Confidence*0.8)
			} else {
				f.Confidence = round2(f.Confidence * 0.6)
			}
			card.Fields["idNumber"] = f
		}
	}
	return card, nil
}

// idAgrees checks the 12-digit number against the birth year and sex when both are known: its 4th
// digit codes century and sex, the 5th and 6th the year (idcard.md §5.2).
func idAgrees(id, birth, sex string) bool {
	if len(id) != 12 || len(birth) != 10 {
		return true
	}
	g := int(id[3] - '0')
	year := 1900 + 100*(g/2) + int(id[4]-'0')*10 + int(id[5]-'0')
	if fmt.Sprint(year) != birth[:4] {
		return false
	}
	return sex == "" || (sex == "Nữ") == (g%2 == 1)
}

// mrzRegion cuts the machine-readable zone out of the page: the lowest rows that look like zone
// lines, or else the bottom 40 % of the page, with a white margin.
func mrzRegion(lines []Line, bin *image.Gray) (*image.Gray, bool) {
	var box image.Rectangle
	n := 0
	for i := len(lines) - 1; i >= 0 && n < 3; i-- {
		l := lines[i]
		if !looksMRZ(l.Text) {
			if n > 0 {
				break
			}
			continue
		}
		box = box.Union(l.Box)
		n++
	}
	b := bin.Bounds()
	if n == 0 {
		box = image.Rect(b.Min.X, b.Min.Y+b.Dy()*6/10, b.Max.X, b.Max.Y)
	} else {
		h := box.Dy() / max(n, 1)
		box = image.Rect(box.Min.X-h, box.Min.Y-h/2, box.Max.X+h, box.Max.Y+h/2)
		if n < 3 {
			box.Min.Y -= h * (3 - n) * 17 / 10
			box.Max.Y += h * (3 - n) * 17 / 10
		}
	}
	box = box.Intersect(b)
	if box.Dx() < 20 || box.Dy() < 10 {
		return nil, false
	}
	return padded(bin, box, 20), true
}

// padded copies r of g onto a white canvas with a margin of m pixels.
func padded(g *image.Gray, r image.Rectangle, m int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, r.Dx()+2*m, r.Dy()+2*m))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		copy(out.Pix[(y-r.Min.Y+m)*out.Stride+m:], g.Pix[g.PixOffset(r.Min.X, y):g.PixOffset(r.Max.X, y)])
	}
	return out
}

// redDigits finds rows of red characters of text size in the scanned image and reads them as
// digits; the first row that reads as 12 digits is the ID number.
func redDigits(ctx context.Context, rd Recognizer, img image.Image, dpi float64, turns int) (string, float64, error) {
	mask := redMask(img)
	if turns = ((turns % 4) + 4) % 4; turns != 0 {
		mask = preprocess.Rotate90(mask, turns)
	}
	mm := dpi / 25.4
	comps := components(mask, int(0.8*mm), int(5*mm), int(40*mm)) // digits may touch: wide is fine
	if len(comps) == 0 {
		return "", 0, nil
	}
	// rows of components: a component joins the row whose band it overlaps by half its height
	sort.Slice(comps, func(i, j int) bool { return comps[i].Min.Y+comps[i].Max.Y < comps[j].Min.Y+comps[j].Max.Y })
	var rows [][]image.Rectangle
	var bands [][2]float64
	for _, c := range comps {
		top, bottom := float64(c.Min.Y), float64(c.Max.Y)
		best := -1
		for k := range rows {
			ov := min(bottom, bands[k][1]) - max(top, bands[k][0])
			if ov >= 0.5*min(bottom-top, bands[k][1]-bands[k][0]) {
				best = k
			}
		}
		if best < 0 {
			rows = append(rows, []image.Rectangle{c})
			bands = append(bands, [2]float64{top, bottom})
			continue
		}
		rows[best] = append(rows[best], c)
		n := float64(len(rows[best]))
		bands[best][0] += (top - bands[best][0]) / n
		bands[best][1] += (bottom - bands[best][1]) / n
	}
	// the lowest rows first: the number is printed below the red title
	for ri := len(rows) - 1; ri >= 0; ri-- {
		row := rows[ri]
		if len(row) < 2 {
			continue
		}
		var box image.Rectangle
		for _, c := range row {
			box = box.Union(c)
		}
		h := box.Dy()
		crop := padded(mask, image.Rect(box.Min.X-h/2, box.Min.Y-h/3, box.Max.X+h/2, box.Max.Y+h/3).Intersect(mask.Rect), h/2)
		res, err := rd.Recognize(ctx, crop, dpi)
		if err != nil {
			return "", 0, fmt.Errorf("không đọc được số định danh (cannot read the ID number): %w", err)
		}
		d := digitsOnly(strings.ReplaceAll(res.Text(), " ", ""))
		if len(d) == 12 {
			return d, res.Confidence / 100, nil
		}
	}
	return "", 0, nil
}

// redMask marks red ink (0) on white (255).
func redMask(img image.Image) *image.Gray {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	mask := image.NewGray(image.Rect(0, 0, W, H))
	red := func(r, g, bl int) bool { return r > 100 && r-g > 45 && r-bl > 45 }
	for y := 0; y < H; y++ {
		row := mask.Pix[y*W : (y+1)*W]
		switch m := img.(type) {
		case *image.YCbCr:
			for x := 0; x < W; x++ {
				yi, ci := m.YOffset(x+b.Min.X, y+b.Min.Y), m.COffset(x+b.Min.X, y+b.Min.Y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				row[x] = 255
				if red(int(r), int(g), int(bl)) {
					row[x] = 0
				}
			}
		default:
			for x := 0; x < W; x++ {
				r, g, bl, _ := img.At(x+b.Min.X, y+b.Min.Y).RGBA()
				row[x] = 255
				if red(int(r>>8), int(g>>8), int(bl>>8)) {
					row[x] = 0
				}
			}
		}
	}
	return mask
}

// components returns the bounding boxes of the 8-connected ink (0) components of g whose height
// lies in [minH, maxH] and width is at most maxW.
func components(g *image.Gray, minH, maxH, maxW int) []image.Rectangle {
	W, H := g.Rect.Dx(), g.Rect.Dy()
	seen := make([]bool, W*H)
	var out []image.Rectangle
	stack := []int{}
	for start := range g.Pix {
		if g.Pix[start] != 0 || seen[start] {
			continue
		}
		seen[start] = true
		stack = append(stack[:0], start)
		box := image.Rect(start%W, start/W, start%W+1, start/W+1)
		n := 0
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			x, y := p%W, p/W
			box = box.Union(image.Rect(x, y, x+1, y+1))
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= W || ny >= H {
						continue
					}
					q := ny*W + nx
					if !seen[q] && g.Pix[q] == 0 {
						seen[q] = true
						stack = append(stack, q)
					}
				}
			}
		}
		if box.Dy() >= minH && box.Dy() <= maxH && box.Dx() <= maxW && n >= 4 {
			out = append(out, box)
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// looksMRZ says a row of OCR text reads like a line of a machine-readable zone: mostly capitals,
// digits and fillers, at least 20 of them.
func looksMRZ(s string) bool {
	n, in := 0, 0
	for _, r := range s {
		if r == ' ' {
			continue
		}
		n++
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '<' || r == '«' || r == '‹' {
			in++
		}
	}
	return in >= 20 && float64(in) >= 0.85*float64(n)
}

// adminWordRe finds a full stop or a missing comma read before the name of an administrative unit.
var adminWordRe = regexp.MustCompile(`(\S)[.;]? +(Phường|Xã|Thị trấn|Quận|Huyện|Thị xã|Thành phố|Tỉnh|TP\.)( )`)

// addressCommas writes the separators of an address as printed on the card: ", " before each
// administrative unit (OCR reads some of the commas as full stops or loses them).
func addressCommas(s string) string {
	return adminWordRe.ReplaceAllStringFunc(s, func(m string) string {
		sub := adminWordRe.FindStringSubmatch(m)
		if sub[1] == "," {
			return m
		}
		return sub[1] + ", " + sub[2] + sub[3]
	})
}

// cardWords gives the words of the view: read again enlarged when rd.Page is set, else the page's.
func cardWords(ctx context.Context, v cardView, rd CardReaders) ([]engine.Word, string, error) {
	if rd.Page == nil || v.gray == nil {
		return v.words, v.text, nil
	}
	const f = 2
	res, err := rd.Page.Recognize(ctx, preprocess.Scale(v.gray, f), v.dpi*f)
	if err != nil {
		return nil, "", fmt.Errorf("không đọc lại được thẻ (cannot read the card again): %w", err)
	}
	words := make([]engine.Word, len(res.Words))
	for i, w := range res.Words {
		w.Box = image.Rect(w.Box.Min.X/f, w.Box.Min.Y/f, (w.Box.Max.X+f-1)/f, (w.Box.Max.Y+f-1)/f)
		words[i] = w
	}
	return words, res.Text(), nil
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// adminWords are the names of kinds of administrative unit, which start the parts of an address.
var adminWords = []string{"Thành phố", "Thị xã", "Thị trấn", "Khu phố", "Phường", "Quận", "Huyện", "Tỉnh"}

// fixAdminWords puts right a two-word unit name read with one letter wrong ("Thành nhố").
func fixAdminWords(s string) string {
	words := strings.Fields(s)
	// one-word units, at the start of an address part: "Ouân" → "Quận", "Huyên" → "Huyện"
	for i, w := range words {
		if i > 0 && !strings.HasSuffix(words[i-1], ",") && !strings.HasSuffix(words[i-1], ".") {
			continue
		}
		for _, a := range adminWords[4:] {
			if w != a && len([]rune(w)) == len([]rune(a)) && digitDiff(string(Fold(w)), string(Fold(a))) <= 1 &&
				(string(Fold(w)) == string(Fold(a)) || []rune(w)[1:][0] == []rune(a)[1:][0]) {
				words[i] = a
			}
		}
	}
	for i := 0; i+1 < len(words); i++ {
		pair := []rune(string(Fold(words[i] + " " + strings.TrimRight(words[i+1], ",."))))
		for _, a := range adminWords {
			fa := Fold(a)
			if len(fa) != len(pair) {
				continue
			}
			diff := 0
			for k := range fa {
				if fa[k] != pair[k] {
					diff++
				}
			}
			if diff <= 1 && words[i]+" "+strings.TrimRight(words[i+1], ",.") != a {
				tail := words[i+1][len(strings.TrimRight(words[i+1], ",.")):]
				parts := strings.Fields(a)
				words[i], words[i+1] = parts[0], parts[1]+tail
			}
		}
	}
	return strings.Join(words, " ")
}

func digitDiff(a, b string) int {
	if len(a) != len(b) {
		return len(a) + len(b)
	}
	d := 0
	for i := range a {
		if a[i] != b[i] {
			d++
		}
	}
	return d
}

// provinceCodes are the first three digits of personal ID numbers: the 63 provinces' codes of
// Thông tư 07/2016/TT-BCA (idcard.md §5.2), which numbers issued since keep.
var provinceCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031
		033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074
		075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096`) {
		m[c] = true
	}
	return m
}()

// lookAlike lists the digits OCR takes a digit for.
var lookAlike = map[byte]string{'0': "689", '1': "74", '2': "7", '3': "85", '4': "1", '5': "63", '6': "058", '7': "12", '8': "0369", '9': "08"}

// fixID puts right one digit of the first six of an ID number (province, century and sex, year)
// when exactly one look-alike makes the province code valid and the number agree with the birth
// date and sex; "" when there is not exactly one.
func fixID(id, birth, sex string) string {
	found := ""
	for i := 0; i < 6; i++ {
		for _, d := range []byte(lookAlike[id[i]]) {
			c := id[:i] + string(d) + id[i+1:]
			if provinceCodes[c[:3]] && idAgrees(c, birth, sex) && birth != "" {
				if found != "" && found != c {
					return ""
				}
				found = c
			}
		}
	}
	return found
}
