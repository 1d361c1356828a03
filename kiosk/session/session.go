package session

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// session is one citizen's data. Only the Run goroutine touches it.
type session struct {
	m      *Machine
	id     string
	gen    int64 // bumps on every wipe and on every card or scan wait, so superseded results are dropped
	epoch  int64 // bumps on every wipe only: results of this citizen's background jobs carry it
	ctx    context.Context
	cancel context.CancelFunc

	state    State
	step     string
	message  *Message
	lastAct  time.Time
	doneAt   time.Time
	key      *identity.Key
	citizen  *identity.Result
	query    string
	results  []catalog.Procedure
	proc     *catalog.Procedure
	docs     []*doc
	current  int
	form     []*formField
	dossier  *Dossier
	receipt  *Submitted
	printed  bool
	jobsLeft int // documents being digitised
}

type doc struct {
	def      catalog.Document
	pages    []Page
	quality  []Quality
	status   string // missing, scanned, processing, done, skipped, failed
	result   *Digitized
	errMsg   string
	progress float64
	job      int // digitising job number: a result for older pages is dropped
}

type formField struct {
	def    catalog.Field
	value  string
	source string
	low    bool
	err    string
}

// wipe drops everything about the current citizen and returns to the attract screen.
func (s *session) wipe() {
	if s.cancel != nil {
		s.cancel()
	}
	for _, d := range s.docs {
		if d.status == "processing" {
			continue // an OCR job may still be reading these pixels; they are only dropped
		}
		for i := range d.pages {
			clearImage(d.pages[i].Image)
		}
		if d.result != nil {
			clear(d.result.PDF)
		}
	}
	if s.citizen != nil {
		s.citizen.Citizen = identity.Citizen{}
	}
	if s.dossier != nil {
		for _, d := range s.dossier.Documents {
			clear(d.PDF)
		}
	}
	if s.m.dev.QR != nil {
		s.m.dev.QR.Forget()
	}
	*s = session{m: s.m, gen: s.gen + 1, epoch: s.epoch + 1, state: Attract}
	s.ctx, s.cancel = context.WithCancel(context.Background())
}

// clearImage overwrites the pixels of the image types scanners produce.
func clearImage(img image.Image) {
	switch p := img.(type) {
	case *image.Gray:
		clear(p.Pix)
	case *image.RGBA:
		clear(p.Pix)
	case *image.NRGBA:
		clear(p.Pix)
	case *image.YCbCr:
		clear(p.Y)
		clear(p.Cb)
		clear(p.Cr)
	}
}

func (s *session) begin() {
	s.wipe()
	s.id = newSessionID()
	s.state, s.step = Identify, StepQR
	s.lastAct = time.Now()
	if s.m.dev.QR == nil {
		s.step = StepTypeKey
	}
}

func (s *session) handle(ev any) {
	switch e := ev.(type) {
	case actionEvent:
		err := s.act(e.a)
		if err == nil && e.a.Action != ActCancel && e.a.Action != ActFinish {
			s.lastAct = time.Now()
		}
		e.reply <- err
	case qrEvent:
		s.onQR(e.payload)
	case cardPresentEvent:
		if e.gen == s.gen && s.state == Identify {
			s.step, s.message = StepReading, nil
		}
	case cardEvent:
		if e.gen == s.gen {
			s.onCard(e.res, e.err)
		}
	case scanEvent:
		if e.gen == s.gen {
			s.onScan(e.pages, e.quality, e.err)
		}
	case digitizedEvent:
		if e.gen == s.epoch && e.doc < len(s.docs) && s.docs[e.doc].job == e.job {
			s.onDigitized(e.doc, e.res, e.err)
		}
	case submittedEvent:
		if e.gen == s.epoch {
			s.onSubmitted(e.s, e.err)
		}
	case printedEvent:
		if e.gen == s.epoch {
			s.onPrinted(e.err)
		}
	case previewEvent:
		var img image.Image
		if e.doc >= 0 && e.doc < len(s.docs) && e.page >= 0 && e.page < len(s.docs[e.doc].pages) {
			img = s.docs[e.doc].pages[e.page].Image
		}
		e.reply <- img
	}
}

// tick runs the idle timeout and the done screen's return to attract.
func (s *session) tick() {
	switch s.state {
	case Attract, Submitting:
		return
	case Receipt:
		if s.step == StepPrinting {
			return
		}
	case Done:
		if time.Since(s.doneAt) >= s.m.cfg.DoneAfter {
			s.wipe()
		}
		return
	}
	if s.busy() {
		s.lastAct = time.Now() // the citizen is waiting for the kiosk, not the other way round
		return
	}
	if time.Since(s.lastAct) >= s.m.cfg.IdleTimeout {
		s.wipe()
	}
}

// busy reports whether the kiosk is working and the citizen can only wait.
func (s *session) busy() bool {
	switch {
	case s.state == Identify && s.step == StepReading,
		s.state == Documents && s.step == StepScanning,
		s.state == Review && s.step == StepProcessing:
		return true
	}
	return false
}

func (s *session) act(a Action) error {
	if a.Action == ActCancel {
		if s.state == Submitting || (s.state == Receipt && s.step == StepPrinting) {
			return ErrNotNow // the dossier is being committed or printed: it cannot be abandoned now
		}
		s.wipe()
		return nil
	}
	if a.Action == ActMoreTime {
		return nil // lastAct is reset by handle
	}
	switch s.state {
	case Attract:
		if a.Action == ActStart {
			s.begin()
			return nil
		}
	case Identify:
		return s.actIdentify(a)
	case ChooseProcedure:
		return s.actChoose(a)
	case Documents:
		return s.actDocuments(a)
	case Review:
		return s.actReview(a)
	case Consent:
		switch a.Action {
		case ActAgree:
			s.submit()
			return nil
		case ActBack:
			s.state = Review
			return nil
		}
	case Receipt:
		if a.Action == ActFinish && s.step != StepPrinting {
			s.finish()
			return nil
		}
	case Done:
		if a.Action == ActFinish {
			s.wipe()
			return nil
		}
	}
	return ErrNotNow
}

// --- identify ---

func (s *session) onQR(payload string) {
	switch {
	case s.state == Attract:
		s.begin()
	case s.state == Identify && (s.step == StepQR || s.step == StepTypeKey || s.step == StepCard):
	default:
		return // a QR code shown later in the journey is not an identity
	}
	key, _, err := identity.KeyFromQR(payload)
	if err != nil {
		s.step = StepQR
		s.message = &Message{Code: "qr_invalid", Retry: true,
			Vi: "Không đọc được mã QR trên thẻ căn cước. Hãy đưa mặt trước của thẻ vào máy quét, hoặc chọn nhập số định danh.",
			En: "The ID card's QR code could not be read. Show the front of the card to the scanner, or type the ID number."}
		return
	}
	s.lastAct = time.Now()
	s.startCard(key)
}

func (s *session) actIdentify(a Action) error {
	switch a.Action {
	case ActTypeKey:
		if s.step == StepReading {
			return ErrNotNow
		}
		s.gen++ // stop waiting for a card with the old key
		s.step, s.message = StepTypeKey, nil
		return nil
	case ActEnterID:
		id := strings.TrimSpace(a.Value)
		if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
			return invalid("số định danh gồm 12 chữ số", "the ID number has 12 digits")
		}
		key, _ := identity.KeyFromCAN(id[6:])
		s.startCard(key)
		return nil
	case ActEnterMRZ:
		key, err := identity.KeyFromMRZ(a.Value)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		s.startCard(key)
		return nil
	case ActBack:
		s.wipe()
		return nil
	}
	return ErrNotNow
}

func (s *session) startCard(key identity.Key) { s.retryCard(key, 0) }

// retryCard waits for the card after a pause (a reader that fails at once must not spin).
func (s *session) retryCard(key identity.Key, pause time.Duration) {
	s.key = &key
	s.step = StepCard
	s.message = nil
	s.gen++
	gen, ctx := s.gen, s.ctx
	go func() {
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			s.m.post(cardEvent{gen, nil, ctx.Err()})
			return
		}
		res, err := s.m.dev.Card.ReadCard(ctx, key, func() { s.m.post(cardPresentEvent{gen}) })
		s.m.post(cardEvent{gen, res, err})
	}()
}

func (s *session) onCard(res *identity.Result, err error) {
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		// Wait for the card again with the same key; say what went wrong.
		s.retryCard(*s.key, time.Second)
		s.message = cardMessage(err)
		return
	}
	if res.PassiveAuth == "invalid" || (res.PassiveAuth == "unverified" && !s.m.cfg.AllowUnverified) || res.ChipAuth == "failed" {
		res.Citizen = identity.Citizen{}
		s.key = nil
		s.gen++ // stop waiting on the reader
		s.step = StepQR
		s.message = &Message{Code: "card_not_genuine",
			Vi: "Không xác thực được dữ liệu trên thẻ. Vui lòng đến quầy để được hỗ trợ.",
			En: "The card's data could not be authenticated. Please go to the counter for help."}
		return
	}
	s.citizen = res
	s.key = nil
	s.message = nil
	s.state, s.step = ChooseProcedure, ""
	s.results = s.m.catalog().Browse()
}

// cardMessage tells the citizen what to do after a failed card read.
func cardMessage(err error) *Message {
	switch {
	case errors.Is(err, apdu.ErrCardRemoved):
		return &Message{Code: "card_removed", Retry: true,
			Vi: "Thẻ bị nhấc ra khi đang đọc. Hãy đặt lại thẻ và giữ yên cho đến khi đọc xong.",
			En: "The card was lifted while being read. Put it back and keep it still until done."}
	case errors.Is(err, apdu.ErrReaderGone):
		return &Message{Code: "reader_gone",
			Vi: "Đầu đọc thẻ đang gặp sự cố. Vui lòng liên hệ cán bộ tại quầy.",
			En: "The card reader has a problem. Please ask the staff at the counter."}
	}
	return &Message{Code: "card_unreadable", Retry: true,
		Vi: "Không đọc được thẻ. Kiểm tra đúng thẻ của mã QR vừa quét, đặt thẻ nằm yên giữa đầu đọc rồi thử lại.",
		En: "The card could not be read. Check it is the card whose QR code was scanned, keep it flat on the reader and try again."}
}

// --- choose a procedure ---

func (s *session) actChoose(a Action) error {
	switch a.Action {
	case ActSearch:
		s.query = a.Value
		s.results = s.m.catalog().Search(a.Value)
		return nil
	case ActChoose:
		p, err := s.m.catalog().Get(a.Value)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		s.proc = p
		s.docs = nil
		for _, d := range p.Documents {
			s.docs = append(s.docs, &doc{def: d, status: "missing"})
		}
		s.current = 0
		s.state, s.step, s.message = Documents, StepPlace, nil
		return nil
	case ActBack:
		s.wipe()
		return nil
	}
	return ErrNotNow
}

// --- documents ---

func (s *session) actDocuments(a Action) error {
	d := s.docs[s.current]
	switch a.Action {
	case ActScan:
		if s.step != StepPlace && s.step != StepPreview {
			return ErrNotNow
		}
		s.step, s.message = StepScanning, nil
		s.gen++
		gen, ctx := s.gen, s.ctx
		go func() {
			pages, err := s.m.dev.Scanner.Scan(ctx)
			var q []Quality
			for _, p := range pages {
				q = append(q, s.m.dev.Digitizer.Check(ctx, p)...)
			}
			s.m.post(scanEvent{gen, pages, q, err})
		}()
		return nil
	case ActRescan:
		if s.step != StepPreview || d.status == "skipped" {
			return ErrNotNow
		}
		if d.status == "processing" {
			s.jobsLeft-- // its OCR result will be dropped; the pixels are still being read
			d.job++
		} else {
			for i := range d.pages {
				clearImage(d.pages[i].Image)
			}
		}
		d.pages, d.quality, d.result, d.status = nil, nil, nil, "missing"
		s.step = StepPlace
		return nil
	case ActAccept:
		if s.step != StepPreview || len(d.pages) == 0 {
			return ErrNotNow
		}
		s.digitize(s.current)
		s.nextDocument()
		return nil
	case ActSkip:
		if d.def.Required || s.step == StepScanning {
			return invalid("giấy tờ này bắt buộc", "this document is required")
		}
		d.status = "skipped"
		s.nextDocument()
		return nil
	case ActBack:
		if s.step == StepScanning {
			return ErrNotNow
		}
		if s.current > 0 {
			s.current--
			s.step = StepPlace
			if len(s.docs[s.current].pages) > 0 {
				s.step = StepPreview // accept again or scan again
			}
			return nil
		}
		s.state = ChooseProcedure
		return nil
	}
	return ErrNotNow
}

func (s *session) onScan(pages []Page, quality []Quality, err error) {
	d := s.docs[s.current]
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.step = StepPlace
		if len(d.pages) > 0 {
			s.step = StepPreview
		}
		s.message = &Message{Code: "scan_failed", Retry: true,
			Vi: "Máy quét gặp sự cố: " + err.Error() + ". Kiểm tra giấy rồi bấm Quét lại; nếu vẫn lỗi, hãy liên hệ cán bộ.",
			En: "The scanner had a problem. Check the paper and tap Scan again; if it persists, ask the staff."}
		return
	}
	if len(pages) == 0 {
		s.step = StepPlace
		s.message = msg("scan_empty", "Không có trang nào được quét. Hãy đặt giấy lên mặt kính rồi bấm Quét.",
			"No page was scanned. Place the paper on the glass and tap Scan.")
		return
	}
	if d.status == "processing" {
		s.jobsLeft-- // more pages: the running OCR job is superseded
		d.job++
	}
	d.pages = append(d.pages, pages...)
	d.quality = append(d.quality, quality...)
	d.status, d.result = "scanned", nil
	s.step, s.message = StepPreview, nil
}

func (s *session) digitize(i int) {
	d := s.docs[i]
	if d.status != "processing" {
		s.jobsLeft++
	}
	d.status, d.progress, d.result = "processing", 0, nil
	d.job++
	gen, job, ctx, pages, title, fields := s.epoch, d.job, s.ctx, d.pages, d.def.Name, s.proc.Fields
	go func() {
		res, err := s.m.dev.Digitizer.Digitize(ctx, title, pages, fields)
		s.m.post(digitizedEvent{gen, i, job, res, err})
	}()
}

func (s *session) onDigitized(i int, res *Digitized, err error) {
	s.jobsLeft--
	d := s.docs[i]
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		d.status, d.errMsg = "failed", err.Error()
		if s.state == Review {
			s.current, s.state, s.step = i, Documents, StepPreview
			s.message = msg("digitize_failed", "Không xử lý được giấy tờ này, hãy quét lại.",
				"This document could not be processed; please scan it again.")
		}
		return
	}
	d.status, d.result, d.progress = "done", res, 1
	if s.state == Review {
		s.mergeOCR()
		if s.jobsLeft == 0 {
			s.step = StepEditing
		}
	}
}

func (s *session) nextDocument() {
	s.message = nil
	for i := range s.docs {
		if s.docs[i].status == "missing" || s.docs[i].status == "failed" {
			s.current, s.step = i, StepPlace
			return
		}
	}
	s.enterReview()
}

// --- review ---

func (s *session) enterReview() {
	s.state = Review
	if s.form == nil {
		c := s.citizen.Citizen
		fromCard := map[string]string{
			"citizen.fullName": c.FullName, "citizen.idNumber": c.IDNumber, "citizen.dateOfBirth": c.DateOfBirth,
			"citizen.sex": c.Sex, "citizen.placeOfResidence": c.PlaceOfResidence, "citizen.placeOfOrigin": c.PlaceOfOrigin,
			"citizen.nationality": c.Nationality, "citizen.ethnicity": c.Ethnicity,
		}
		for _, f := range s.proc.Fields {
			ff := &formField{def: f}
			if v, ok := fromCard[f.From]; ok && v != "" {
				ff.value, ff.source = displayValue(f, v), "card"
			}
			s.form = append(s.form, ff)
		}
	}
	s.mergeOCR()
	s.step = StepEditing
	if s.jobsLeft > 0 {
		s.step = StepProcessing
	}
}

// lowConfidence is the recogniser confidence under which a field is marked for checking.
const lowConfidence = 0.80

// mergeOCR fills fields the citizen has not typed and the card did not give from the documents'
// recognised values.
func (s *session) mergeOCR() {
	for _, ff := range s.form {
		if ff.source == "card" || ff.source == "citizen" {
			continue
		}
		for _, d := range s.docs {
			if d.result == nil {
				continue
			}
			if f, ok := d.result.Fields[ff.def.Key]; ok && f.Value != "" {
				ff.value, ff.source, ff.low = displayValue(ff.def, f.Value), "ocr", f.Confidence < lowConfidence
				break
			}
		}
	}
}

func (s *session) actReview(a Action) error {
	switch a.Action {
	case ActSetField:
		for _, ff := range s.form {
			if ff.def.Key == a.Key {
				if err := checkField(s.resolved(ff.def), a.Value); err != nil {
					ff.err = err.Error()
					return err
				}
				old := ff.value
				ff.value, ff.source, ff.low, ff.err = strings.TrimSpace(a.Value), "citizen", false, ""
				if ff.value != old {
					s.dropStaleCommunes(ff.def.Key)
				}
				return nil
			}
		}
		return invalid("không có trường này", "no such field")
	case ActConfirm:
		if s.step == StepProcessing {
			return ErrNotNow
		}
		missing := false
		for _, ff := range s.form {
			if err := checkField(s.resolved(ff.def), ff.value); err != nil {
				ff.err, missing = err.Error(), true
			}
		}
		if missing {
			s.message = msg("form_incomplete", "Còn trường chưa điền hoặc chưa đúng, xem các ô được đánh dấu.",
				"Some fields are missing or wrong: see the marked boxes.")
			return invalid("biểu mẫu chưa đầy đủ", "the form is incomplete")
		}
		s.message = nil
		s.state = Consent
		return nil
	case ActBack:
		s.state, s.step = Documents, StepPreview
		s.current = len(s.docs) - 1
		return nil
	}
	return ErrNotNow
}

// resolved is f with the choices of an address field filled in from the catalogue: a province
// field chooses among the provinces, a commune field among the communes of the province chosen in
// its Of field (typed, as text, when the catalogue lists none for that province).
func (s *session) resolved(f catalog.Field) catalog.Field {
	switch f.Kind {
	case "province":
		f.Kind, f.Choices = "choice", s.m.catalog().Provinces()
	case "commune":
		f.Kind, f.Choices = "text", s.m.catalog().Communes(s.fieldValue(f.Of))
		if len(f.Choices) > 0 {
			f.Kind = "choice"
		}
	}
	return f
}

func (s *session) fieldValue(key string) string {
	for _, ff := range s.form {
		if ff.def.Key == key {
			return ff.value
		}
	}
	return ""
}

// dropStaleCommunes empties the commune fields of province field key, just changed, unless their
// value is one of the communes listed for the province now chosen.
func (s *session) dropStaleCommunes(key string) {
	for _, ff := range s.form {
		if ff.def.Kind != "commune" || ff.def.Of != key || ff.value == "" {
			continue
		}
		if def := s.resolved(ff.def); def.Kind == "text" || checkField(def, ff.value) != nil {
			ff.value, ff.source, ff.low = "", "", false
		}
	}
}

// displayValue writes a value the way citizens read it: dates as dd/mm/yyyy.
func displayValue(f catalog.Field, v string) string {
	if f.Kind == "date" {
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format("02/01/2006")
		}
	}
	return v
}

// checkField validates a value for a field of its kind.
func checkField(f catalog.Field, v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		if f.Required {
			return invalid("bắt buộc", "required")
		}
		return nil
	}
	switch f.Kind {
	case "date":
		if _, err := time.Parse("02/01/2006", v); err != nil {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return invalid("ngày dạng dd/mm/yyyy", "date as dd/mm/yyyy")
			}
		}
	case "number":
		if strings.Trim(v, "0123456789 +") != "" {
			return invalid("chỉ gồm chữ số", "digits only")
		}
	case "choice":
		for _, c := range f.Choices {
			if c == v {
				return nil
			}
		}
		return invalid("chọn một trong danh sách", "pick one of the choices")
	}
	return nil
}

// --- submit, receipt ---

func (s *session) submit() {
	d := &Dossier{
		ProcedureCode: s.proc.Code, ProcedureName: s.proc.Name, Applicant: s.citizen.Citizen,
		PassiveAuth: s.citizen.PassiveAuth, Fields: map[string]string{}, Consent: true, CapturedAt: time.Now(),
	}
	for _, ff := range s.form {
		d.Fields[ff.def.Key] = ff.value
	}
	for _, x := range s.docs {
		if x.status != "done" {
			continue
		}
		d.Documents = append(d.Documents, DossierDocument{Type: x.def.Type, Name: x.def.Name, PDF: x.result.PDF,
			Pages: x.result.Pages, Originals: x.def.Originals, Copies: x.def.Copies})
	}
	s.dossier = d
	s.state, s.step, s.message = Submitting, "", nil
	// The commit must not be cut short by a cancel or idle timeout: it gets its own context.
	gen, wait := s.epoch, s.m.cfg.SubmitWait
	go func() {
		res, err := s.m.dev.Outbox.Submit(context.Background(), d, wait)
		s.m.post(submittedEvent{gen, res, err})
	}()
}

func (s *session) onSubmitted(res *Submitted, err error) {
	if err != nil {
		s.state, s.step = Consent, ""
		s.message = &Message{Code: "submit_failed", Retry: true,
			Vi: "Chưa lưu được hồ sơ: " + err.Error() + ". Hồ sơ chưa được nộp; hãy thử lại hoặc liên hệ cán bộ.",
			En: "The dossier could not be saved; it has not been submitted. Try again or ask the staff."}
		return
	}
	s.receipt = res
	s.state, s.step = Receipt, StepPrinting
	gen, d := s.epoch, s.dossier
	go func() {
		err := s.m.dev.Receipts.PrintReceipt(context.Background(), d, res)
		s.m.post(printedEvent{gen, err})
	}()
}

func (s *session) onPrinted(err error) {
	if err != nil {
		s.step = StepPrintFail
		s.message = &Message{Code: "print_failed",
			Vi: "Hồ sơ đã được tiếp nhận và lưu an toàn, nhưng máy in gặp sự cố. Hãy ghi lại mã hồ sơ trên màn hình và đến quầy để nhận biên nhận.",
			En: "The dossier was received and is safe, but the printer failed. Note the dossier code on the screen and collect the receipt at the counter."}
		return
	}
	s.printed = true
	s.step = StepPrinted
	s.finish()
}

func (s *session) finish() {
	s.state = Done
	s.doneAt = time.Now()
	s.message = msg("done", "Hoàn tất. Xin nhận lại thẻ căn cước, giấy tờ và biên nhận.",
		"Finished. Please take your ID card, your papers and the receipt.")
}

// --- view ---

func (s *session) view() View {
	v := View{Session: s.id, State: s.state, Step: s.step, Message: s.message, Current: s.current, Query: s.query}
	if s.state != Attract && s.state != Done && s.state != Submitting {
		idle := time.Since(s.lastAct)
		if idle >= s.m.cfg.IdleWarn {
			v.IdleWarning = true
			v.IdleSecondsLeft = int((s.m.cfg.IdleTimeout - idle + time.Second - 1) / time.Second)
		}
	}
	if s.citizen != nil {
		c := s.citizen.Citizen
		masked := c.IDNumber
		if len(masked) > 4 {
			masked = strings.Repeat("*", len(masked)-4) + masked[len(masked)-4:]
		}
		v.Citizen = &CitizenView{FullName: c.FullName, IDMasked: masked, PassiveAuth: s.citizen.PassiveAuth}
	}
	if s.state == ChooseProcedure {
		for _, p := range s.results {
			v.Procedures = append(v.Procedures, procView(p))
		}
	}
	if s.proc != nil {
		pv := procView(*s.proc)
		v.Procedure = &pv
	}
	for _, d := range s.docs {
		v.Documents = append(v.Documents, DocumentView{Type: d.def.Type, Name: d.def.Name, Required: d.def.Required,
			Status: d.status, Pages: len(d.pages), Quality: d.quality, Progress: d.progress})
	}
	if s.state == Review || s.state == Consent {
		for _, ff := range s.form {
			def := s.resolved(ff.def)
			v.Form = append(v.Form, FieldView{Key: def.Key, Label: def.Label, Kind: def.Kind, Value: ff.value,
				Required: def.Required, Choices: def.Choices, Source: ff.source, LowConfidence: ff.low, Error: ff.err})
		}
	}
	if s.receipt != nil {
		v.Receipt = &ReceiptView{DossierCode: s.receipt.DossierCode, Provisional: s.receipt.Provisional,
			Printed: s.printed, ReceivedAt: s.receipt.ReceivedAt}
	}
	return v
}

func procView(p catalog.Procedure) ProcedureView {
	return ProcedureView{Code: p.Code, Name: p.Name, NameEn: p.NameEn, Popular: p.Popular > 0, Fee: p.Fee,
		ProcessingTime: p.ProcessingTime, Documents: len(p.Documents)}
}
