package session

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/scanner"
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
	preview  *identity.Preview // the identity read so far, shown while the card is verified; never accepted
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
	pages    []*Prepared // worked once at scan time; the scanner's decodes are not kept
	quality  []Quality
	status   string // missing, scanned, processing, done, skipped, failed
	result   *Digitized
	errMsg   string
	progress float64
	job      int // digitising job number: a result for older pages is dropped
	// mismatch says the pages do not look like this document (another paper, a blank page, a page
	// upside down); the citizen rescans or keeps them (kept), and a kept one is marked for staff.
	mismatch *Message
	why      Mismatch
	kept     bool
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
		clearPages(d.pages)
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

// clearPages overwrites what the kiosk kept of scanned pages: previews and cleaned pages.
func clearPages(pages []*Prepared) {
	for _, p := range pages {
		clearImage(p.Preview)
		if p.Work != nil {
			p.Work.Clear()
		}
	}
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
		// Published before the answer: the caller's next read of the view (the API answers the
		// action with it) shows the action's effect, never the view from before it.
		s.m.publish(s.view())
		e.reply <- err
	case qrEvent:
		s.onQR(e.payload)
	case cardPresentEvent:
		if e.gen == s.gen && s.state == Identify {
			s.step, s.message = StepReading, nil
		}
	case cardIdentityEvent:
		if e.gen == s.gen && s.state == Identify && s.step == StepReading {
			s.onIdentity(e.p)
		}
	case cardEvent:
		if e.gen == s.gen {
			s.onCard(e.res, e.err)
		}
	case scanEvent:
		if e.gen == s.gen {
			s.onScan(e.pages, e.unreadable, e.err)
		} else {
			clearPages(e.pages) // a scan the citizen abandoned
		}
	case progressEvent:
		if e.gen == s.epoch && e.doc < len(s.docs) && s.docs[e.doc].job == e.job && s.docs[e.doc].status == "processing" {
			d := s.docs[e.doc]
			d.progress = max(d.progress, float64(e.pagesDone)/float64(max(len(d.pages), 1)))
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
			if p := s.docs[e.doc].pages[e.page].Preview; p != nil {
				img = p
			}
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
	if err := s.stale(a); err != nil {
		return err
	}
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
	s.preview = nil
	s.gen++
	// The goroutine keeps its own copies: a wipe rewrites *s while a read may still run.
	gen, ctx, m := s.gen, s.ctx, s.m
	go func() {
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			m.post(cardEvent{gen, nil, ctx.Err()})
			return
		}
		res, err := m.dev.Card.ReadCard(ctx, key, identity.Progress{
			Present:    func() { m.post(cardPresentEvent{gen}) },
			Identified: func(p identity.Preview) { m.post(cardIdentityEvent{gen, p}) },
		})
		m.post(cardEvent{gen, res, err})
	}()
}

// onIdentity shows the citizen who they are while the rest of the card is read and verified; the
// identity is accepted only by onCard, once the whole read has checked out.
func (s *session) onIdentity(p identity.Preview) {
	s.preview = &p
	s.message = &Message{Code: "card_keep_still",
		Vi: "Đã đọc thông tin trên thẻ. Xin giữ yên thẻ trên đầu đọc trong khi thẻ được xác thực.",
		En: "The card's details are read. Keep the card still on the reader while it is verified."}
}

func (s *session) onCard(res *identity.Result, err error) {
	s.preview = nil // a preview is never the identity: only a whole, verified read is
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
		gen, ctx, have := s.gen, s.ctx, len(d.pages)
		go func() {
			// Each page is worked once as it comes off the scanner (preprocessing, quality checks,
			// preview, a look at what paper it is); its decode is dropped at once.
			var pages []*Prepared
			var unreadable []string
			n := 0
			err := s.m.dev.Scanner.Scan(ctx, func(p Page) error {
				n++
				pp, err := s.m.dev.Digitizer.Prepare(ctx, p, have+len(pages) == 0)
				clearImage(p.Image)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if err != nil {
					unreadable = append(unreadable, fmt.Sprintf("trang %d: %v", have+n, err))
					return nil // the other pages are unaffected
				}
				pages = append(pages, pp)
				return nil
			})
			s.m.post(scanEvent{gen, pages, unreadable, err})
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
			clearPages(d.pages)
		}
		d.pages, d.quality, d.result, d.status = nil, nil, nil, "missing"
		d.mismatch, d.why, d.kept = nil, Mismatch{}, false
		s.step, s.message = StepPlace, nil
		return nil
	case ActAccept, ActKeep:
		if s.step != StepPreview || len(d.pages) == 0 || d.pages[len(d.pages)-1].Preview == nil {
			return ErrNotNow // nothing the citizen could have seen
		}
		if d.mismatch != nil && !d.kept {
			if a.Action == ActAccept {
				return invalid("trang vừa quét không giống giấy tờ cần nộp: hãy chọn Quét lại hoặc Vẫn dùng trang này",
					"the page does not look like the document asked for: choose Scan again or Keep this page")
			}
			d.kept = true
		} else if a.Action == ActKeep {
			return ErrNotNow // nothing to keep despite: accept
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

// scanMessage words a scanner error for the citizen. The driver's error text is not shown: it
// carries the device's own status names (ScannerAdfJam), which mean nothing to a citizen.
func scanMessage(err error) *Message {
	m := &Message{Code: "scan_failed", Retry: true}
	switch {
	case errors.Is(err, scanner.ErrJammed):
		m.Vi = "Giấy bị kẹt trong khay nạp. Hãy gỡ tờ giấy bị kẹt rồi bấm Quét lại."
		m.En = "Paper is jammed in the feeder. Remove the jammed sheet and tap Scan again."
	case errors.Is(err, scanner.ErrADFEmpty):
		m.Vi = "Khay nạp giấy đang trống. Hãy đặt giấy vào khay hoặc lên mặt kính rồi bấm Quét lại."
		m.En = "The feeder is empty. Put the paper in the feeder or on the glass and tap Scan again."
	case errors.Is(err, scanner.ErrCoverOpen):
		m.Vi = "Nắp máy quét đang mở. Hãy đóng nắp rồi bấm Quét lại."
		m.En = "The scanner cover is open. Close it and tap Scan again."
	case errors.Is(err, scanner.ErrBusy):
		m.Vi = "Máy quét đang bận. Vui lòng đợi một lát rồi bấm Quét lại."
		m.En = "The scanner is busy. Please wait a moment and tap Scan again."
	case errors.Is(err, scanner.ErrBadImage):
		m.Vi = "Không đọc được ảnh quét. Hãy đặt lại giấy rồi bấm Quét lại."
		m.En = "The scan could not be read. Place the paper again and tap Scan again."
	case errors.Is(err, scanner.ErrNoDevice), errors.Is(err, scanner.ErrAccessDenied):
		m.Retry = false
		m.Vi = "Máy quét đang gặp sự cố. Vui lòng liên hệ cán bộ tại quầy."
		m.En = "The scanner has a problem. Please ask the staff at the counter."
	default:
		m.Vi = "Máy quét gặp sự cố. Kiểm tra giấy rồi bấm Quét lại; nếu vẫn lỗi, hãy liên hệ cán bộ."
		m.En = "The scanner had a problem. Check the paper and tap Scan again; if it persists, ask the staff."
	}
	return m
}

func (s *session) onScan(pages []*Prepared, unreadable []string, err error) {
	d := s.docs[s.current]
	if err != nil && len(pages) > 0 && !errors.Is(err, context.Canceled) {
		err = nil // the pages scanned before a jam are kept; the citizen sees them and may scan on
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.step = StepPlace
		if len(d.pages) > 0 {
			s.step = StepPreview
		}
		s.message = scanMessage(err)
		return
	}
	if len(pages) == 0 {
		s.step = StepPlace
		if len(d.pages) > 0 {
			s.step = StepPreview
		}
		s.message = msg("scan_empty", "Không có trang nào được quét. Hãy đặt giấy lên mặt kính rồi bấm Quét.",
			"No page was scanned. Place the paper on the glass and tap Scan.")
		if len(unreadable) > 0 {
			s.message = &Message{Code: "scan_unreadable", Retry: true,
				Vi: "Không đọc được ảnh quét (" + strings.Join(unreadable, "; ") + "). Hãy đặt lại giấy rồi bấm Quét.",
				En: "The scan could not be read. Place the paper again and tap Scan."}
		}
		return
	}
	if d.status == "processing" {
		s.jobsLeft-- // more pages: the running OCR job is superseded
		d.job++
	}
	have := len(d.pages)
	d.pages = append(d.pages, pages...)
	for i, p := range pages {
		for _, q := range p.Quality {
			q.Message = fmt.Sprintf("trang %d: %s", have+i+1, q.Message)
			d.quality = append(d.quality, q)
		}
	}
	for _, u := range unreadable {
		d.quality = append(d.quality, Quality{Code: "unreadable", Message: u})
	}
	d.status, d.result = "scanned", nil
	s.step, s.message = StepPreview, nil
	if d.mismatch == nil || d.kept {
		if m, why := s.classify(d, pages, have); m != nil {
			d.mismatch, d.why, d.kept = m, why, false
		}
	}
	s.message = d.mismatch
	if d.kept {
		s.message = nil
	}
}

// classify tells whether pages, just scanned for document d after its first have pages, look like
// another paper: the first page's title names another document of the catalogue, a page is blank,
// a page lay upside down. It returns the warning for the citizen and the mark for staff, or nil.
func (s *session) classify(d *doc, pages []*Prepared, have int) (*Message, Mismatch) {
	cat := s.m.catalog()
	if have == 0 && cat.Identifies(d.def.Type) {
		if rec := cat.Recognise(pages[0].Head, pages[0].MRZ); rec.Type != "" && rec.Type != d.def.Type {
			name := s.documentName(rec.Type)
			return &Message{Code: "paper_mismatch", Retry: true,
					Vi: "Trang này giống " + name + ", không phải giấy tờ đang cần. Hãy quét lại đúng giấy, hoặc chọn Vẫn dùng trang này.",
					En: "This page looks like another document. Scan the right one, or keep this page."},
				Mismatch{Code: "paper_mismatch", LooksLike: rec.Type, Page: 1}
		}
	}
	for i, p := range pages {
		if p.Blank {
			return &Message{Code: "blank_page", Retry: true,
					Vi: fmt.Sprintf("Trang %d để trắng: có thể giấy bị đặt ngửa. Hãy úp mặt có chữ xuống rồi quét lại, hoặc chọn Vẫn dùng trang này.", have+i+1),
					En: fmt.Sprintf("Page %d is blank: the paper may be face up. Put the printed side down and scan again, or keep this page.", have+i+1)},
				Mismatch{Code: "blank_page", Page: have + i + 1}
		}
	}
	for i, p := range pages {
		if p.UpsideDown {
			return &Message{Code: "upside_down", Retry: true,
					Vi: fmt.Sprintf("Trang %d bị đặt ngược đầu. Hãy xoay giấy cho đúng chiều rồi quét lại, hoặc chọn Vẫn dùng trang này.", have+i+1),
					En: fmt.Sprintf("Page %d was upside down. Turn the paper the right way and scan again, or keep this page.", have+i+1)},
				Mismatch{Code: "upside_down", Page: have + i + 1}
		}
	}
	return nil, Mismatch{}
}

// documentName is how the catalogue names document type t: the current procedure's name for it,
// else the first procedure that asks for it.
func (s *session) documentName(t string) string {
	for _, d := range s.proc.Documents {
		if d.Type == t {
			return d.Name
		}
	}
	for _, p := range s.m.catalog().Procedures {
		for _, d := range p.Documents {
			if d.Type == t {
				return d.Name
			}
		}
	}
	return t
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
		res, err := s.m.dev.Digitizer.Digitize(ctx, title, pages, fields, func(n int) {
			s.m.post(progressEvent{gen, i, job, n})
		})
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
		dd := DossierDocument{Type: x.def.Type, Name: x.def.Name, PDF: x.result.PDF,
			Pages: x.result.Pages, Originals: x.def.Originals, Copies: x.def.Copies}
		if x.kept {
			why := x.why
			dd.Mismatch = &why
		}
		d.Documents = append(d.Documents, dd)
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
	if errors.Is(err, ErrPrintUnconfirmed) {
		s.step = StepPrinted
		s.finish()
		s.message = msg("done_print_unconfirmed",
			"Hoàn tất. Xin lấy biên nhận ở khe máy in; nếu không thấy biên nhận, hãy ghi lại mã hồ sơ trên màn hình và đến quầy. Xin nhận lại thẻ căn cước và giấy tờ.",
			"Finished. Take the receipt from the printer slot; if there is none, note the dossier code on the screen and go to the counter. Please take your ID card and papers.")
		return
	}
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
	} else if s.preview != nil && s.state == Identify && s.step == StepReading {
		// Being verified: the name is shown, passive authentication is not finished.
		c := s.preview.Citizen
		v.Citizen = &CitizenView{FullName: c.FullName, IDMasked: maskID(c.IDNumber), PassiveAuth: "pending"}
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
		dv := DocumentView{Type: d.def.Type, Name: d.def.Name, Required: d.def.Required,
			Status: d.status, Pages: len(d.pages), Quality: d.quality, Mismatch: d.mismatch, Kept: d.kept}
		if d.status == "processing" {
			dv.Progress = d.progress // real: the share of pages read; 0 until the first is
		}
		dv.PreviewReady = len(d.pages) > 0 && d.pages[len(d.pages)-1].Preview != nil
		v.Documents = append(v.Documents, dv)
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

// maskID keeps the last 4 digits of an ID number.
func maskID(id string) string {
	if len(id) > 4 {
		return strings.Repeat("*", len(id)-4) + id[len(id)-4:]
	}
	return id
}
