// Package esclsim is an eSCL (AirScan, Mopria) scanner on HTTP: it serves the page images in
// a folder as the sheets on its glass and in its document feeder, scaled to the resolution a
// client asks for, and can be told to fail the ways real scanners do (feeder empty, paper
// jam, busy, slow). Both the kiosk's eSCL client and Debian's sane-airscan scan from it.
package esclsim

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	xdraw "golang.org/x/image/draw"

	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/drivers/scanner/escl"
	"github.com/tramso/tramso/internal/lowprio"
)

// Faults make the simulated scanner fail the way real ones do.
type Faults struct {
	// ADFEmpty reports the feeder empty: its status says ScannerAdfEmpty and feeder jobs
	// are refused with 409 Conflict.
	ADFEmpty bool
	// JamOnPage jams the feeder on that page of every feeder job (1 is the first): the
	// pages before it are delivered, then NextDocument answers 404 and the status says
	// ScannerAdfJam. 0 means no jam.
	JamOnPage int
	// BusyFirst answers 503 Service Unavailable to the first BusyFirst NextDocument
	// requests of every job, with a Retry-After of RetryAfter seconds when that is not 0.
	BusyFirst  int
	RetryAfter int
	// PageDelay is how long the scanner takes to scan each page.
	PageDelay time.Duration
}

// Config describes the simulated scanner.
type Config struct {
	// PagesDir holds the sheets: PNG and JPEG files, in name order. It is read at the start
	// of every job, so pages can be changed while the simulator runs.
	PagesDir string
	// MakeAndModel is what the scanner calls itself; "" means "tramso eSCL simulator".
	MakeAndModel string
	Faults       Faults
	// Logger receives one line per request; nil means none.
	Logger *slog.Logger
}

// Glass and feeder size: A4 with a margin, in 1/300 inch.
const (
	maxWidth  = 2550 // 8.5 in
	maxHeight = 3508 // 297 mm
	// sourceDPI is assumed for page files that record no resolution.
	sourceDPI = 300
)

// resolutions are the resolutions the simulator offers.
var resolutions = []int{75, 100, 150, 200, 300, 600}

// Simulator is the eSCL scanner as an http.Handler, rooted at /eSCL.
type Simulator struct {
	cfg Config
	log *slog.Logger
	mux *http.ServeMux

	mu        sync.Mutex
	faults    Faults
	jobs      map[string]*job
	order     []string // job ids, oldest first
	nextID    int
	platenPos int // which page the glass holds next
	jammed    bool
	stats     Stats
}

// Stats counts what clients did, for tests and diagnostics.
type Stats struct {
	JobsCreated   int
	JobsCancelled int
	PagesSent     int
	BusyAnswers   int
	LastSettings  escl.ScanSettings
}

type job struct {
	id       string
	settings escl.ScanSettings
	pages    []image.Image // remaining sheets, as loaded
	pageDPI  []int
	sent     int
	busyLeft int
	state    string // Processing, Completed, Canceled, Aborted
	reason   string
	touched  time.Time // last request for this job
}

// New returns a simulator serving cfg.PagesDir.
func New(cfg Config) (*Simulator, error) {
	if cfg.MakeAndModel == "" {
		cfg.MakeAndModel = "tramso eSCL simulator"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if _, _, err := loadPages(cfg.PagesDir); err != nil {
		return nil, err
	}
	s := &Simulator{cfg: cfg, log: log, faults: cfg.Faults, jobs: map[string]*job{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /eSCL/ScannerCapabilities", s.capabilities)
	mux.HandleFunc("GET /eSCL/ScannerStatus", s.status)
	mux.HandleFunc("POST /eSCL/ScanJobs", s.createJob)
	mux.HandleFunc("GET /eSCL/ScanJobs/{id}/NextDocument", s.nextDocument)
	mux.HandleFunc("DELETE /eSCL/ScanJobs/{id}", s.deleteJob)
	s.mux = mux
	return s, nil
}

// SetFaults changes the faults for the jobs that follow. It also stands for the operator opening the
// feeder: a jam left by an earlier job is cleared.
func (s *Simulator) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.jammed = false
}

// Stats returns what clients have done so far.
func (s *Simulator) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ServeHTTP answers eSCL requests.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.log.Info("escl request", "method", r.Method, "path", r.URL.Path)
	s.mux.ServeHTTP(w, r)
}

// loadPages reads the sheets in dir, in name order, with their resolutions.
func loadPages(dir string) ([]image.Image, []int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("không đọc được thư mục trang %s (cannot read pages folder): %w", dir, err)
	}
	var names []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg":
			if e.Type().IsRegular() {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("thư mục %s không có trang PNG hay JPEG nào (pages folder has no PNG or JPEG page)", dir)
	}
	var imgs []image.Image
	var dpis []int
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return nil, nil, fmt.Errorf("không đọc được trang %s (cannot read page): %w", n, err)
		}
		img, dpi, err := scanner.DecodePage(data, sourceDPI, scanner.MaxPagePixels)
		if err != nil {
			return nil, nil, fmt.Errorf("trang %s (page): %w", n, err)
		}
		imgs = append(imgs, img)
		dpis = append(dpis, dpi)
	}
	return imgs, dpis, nil
}

func inputCaps() *escl.InputCaps {
	return &escl.InputCaps{
		MinWidth: 16, MaxWidth: maxWidth, MinHeight: 16, MaxHeight: maxHeight,
		ColorModes:      []string{escl.ColorBlackWhite, escl.ColorGray8, escl.ColorRGB24},
		DocumentFormats: []string{"image/jpeg", "image/png"},
		Resolutions:     resolutions,
	}
}

func (s *Simulator) capabilities(w http.ResponseWriter, r *http.Request) {
	caps := escl.Capabilities{
		Version: "2.63", MakeAndModel: s.cfg.MakeAndModel, ModelName: s.cfg.MakeAndModel,
		SerialNumber: "TRAMSO-SIM-1", UUID: "4509a320-00a0-008f-00b6-002507510eca",
		Platen: inputCaps(), Adf: inputCaps(),
	}
	writeXML(w, http.StatusOK, caps.Encode())
}

func writeXML(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}

// activeLocked returns the job in progress, if any.
func (s *Simulator) activeLocked() *job {
	for _, id := range s.order {
		if j := s.jobs[id]; j.state == "Processing" {
			return j
		}
	}
	return nil
}

func (s *Simulator) status(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	st := escl.Status{Version: "2.63", State: escl.StateIdle, AdfState: escl.AdfLoaded}
	if s.activeLocked() != nil {
		st.State = escl.StateProcessing
	}
	switch {
	case s.jammed:
		st.AdfState = escl.AdfJam
	case s.faults.ADFEmpty:
		st.AdfState = escl.AdfEmpty
	}
	for i := len(s.order) - 1; i >= 0; i-- {
		j := s.jobs[s.order[i]]
		ji := escl.JobInfo{URI: "/eSCL/ScanJobs/" + j.id, UUID: j.id, State: j.state,
			ImagesCompleted: j.sent, ImagesToTransfer: len(j.pages) - j.sent}
		if j.reason != "" {
			ji.StateReasons = []string{j.reason}
		}
		st.Jobs = append(st.Jobs, ji)
	}
	s.mu.Unlock()
	writeXML(w, http.StatusOK, st.Encode())
}

func (s *Simulator) createJob(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, escl.MaxDocumentSize+1))
	if err != nil {
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return
	}
	settings, err := escl.ParseScanSettings(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := validate(settings); err != nil {
		s.log.Info("escl scan settings refused", "err", err)
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	pages, dpis, err := loadPages(s.cfg.PagesDir)
	if err != nil {
		s.log.Error("escl pages", "err", err)
		http.Error(w, "no pages", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
	if s.activeLocked() != nil {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "scanner busy", http.StatusServiceUnavailable)
		return
	}
	feeder := settings.InputSource == escl.SourceFeeder
	if feeder && s.faults.ADFEmpty {
		http.Error(w, "feeder empty", http.StatusConflict)
		return
	}
	s.jammed = false
	if !feeder {
		// The glass holds one sheet: the next one of the folder each time.
		i := s.platenPos % len(pages)
		s.platenPos++
		pages, dpis = pages[i:i+1], dpis[i:i+1]
	}
	s.nextID++
	id := fmt.Sprintf("%08x-5ca1-4000-8000-%012x", s.nextID, s.nextID)
	s.jobs[id] = &job{id: id, settings: *settings, pages: pages, pageDPI: dpis, busyLeft: s.faults.BusyFirst, state: "Processing", touched: time.Now()}
	s.order = append(s.order, id)
	s.stats.JobsCreated++
	s.stats.LastSettings = *settings
	w.Header().Set("Location", "/eSCL/ScanJobs/"+id)
	w.WriteHeader(http.StatusCreated)
}

// expireLocked forgets finished jobs beyond the last few, and abandons a job no client has
// touched for a minute, as real scanners do.
func (s *Simulator) expireLocked() {
	now := time.Now()
	for _, id := range s.order {
		j := s.jobs[id]
		if j.state == "Processing" && now.Sub(j.touched) > time.Minute {
			j.state, j.reason = "Aborted", "JobTimedOut"
		}
	}
	for len(s.order) > 8 {
		delete(s.jobs, s.order[0])
		s.order = s.order[1:]
	}
}

// validate checks the settings against what the simulator offers and fills in the
// defaults a client may leave out.
func validate(st *escl.ScanSettings) error {
	switch st.InputSource {
	case escl.SourcePlaten, escl.SourceFeeder, "":
	default:
		return fmt.Errorf("unsupported InputSource %q", st.InputSource)
	}
	if st.InputSource == "" {
		st.InputSource = escl.SourcePlaten
	}
	switch st.ColorMode {
	case escl.ColorBlackWhite, escl.ColorGray8, escl.ColorRGB24:
	case "":
		st.ColorMode = escl.ColorRGB24
	default:
		return fmt.Errorf("unsupported ColorMode %q", st.ColorMode)
	}
	if st.XResolution == 0 {
		st.XResolution = 300
	}
	if st.YResolution == 0 {
		st.YResolution = st.XResolution
	}
	ok := false
	for _, r := range resolutions {
		ok = ok || (st.XResolution == r && st.YResolution == r)
	}
	if !ok {
		return fmt.Errorf("unsupported resolution %d×%d", st.XResolution, st.YResolution)
	}
	switch st.Format() {
	case "image/png", "image/jpeg":
	case "":
		st.DocumentFormat = "image/jpeg"
	default:
		return fmt.Errorf("unsupported DocumentFormat %q", st.Format())
	}
	if r := st.Region; r != nil {
		if r.Width <= 0 || r.Height <= 0 || r.X+r.Width > maxWidth || r.Y+r.Height > maxHeight {
			return fmt.Errorf("scan region %+v outside %d×%d", *r, maxWidth, maxHeight)
		}
	}
	return nil
}

func (s *Simulator) nextDocument(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	j, ok := s.jobs[id]
	if !ok || j.state != "Processing" {
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	j.touched = time.Now()
	if j.busyLeft > 0 {
		j.busyLeft--
		s.stats.BusyAnswers++
		retry := s.faults.RetryAfter
		s.mu.Unlock()
		if retry > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retry))
		}
		http.Error(w, "scanner busy", http.StatusServiceUnavailable)
		return
	}
	feeder := j.settings.InputSource == escl.SourceFeeder
	if feeder && s.faults.JamOnPage > 0 && j.sent+1 == s.faults.JamOnPage {
		j.state, j.reason = "Aborted", "JobScanJam"
		s.jammed = true
		s.mu.Unlock()
		s.log.Info("escl feeder jammed", "page", s.faults.JamOnPage)
		http.NotFound(w, r)
		return
	}
	if j.sent >= len(j.pages) {
		j.state = "Completed"
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	page, dpi, settings, delay := j.pages[j.sent], j.pageDPI[j.sent], j.settings, s.faults.PageDelay
	s.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	// The simulated scanner stands in for a separate device: its image work runs below the
	// touchscreen's priority so the simulation does not take the screen's CPU as hardware would not.
	var body []byte
	var err error
	lowprio.Run(func() { body, err = render(page, dpi, &settings) })
	if err != nil {
		s.log.Error("escl render", "err", err)
		http.Error(w, "cannot render page", http.StatusInternalServerError)
		return
	}

	s.mu.Lock()
	if j.state != "Processing" { // cancelled while scanning
		s.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	j.sent++
	if !feeder || j.sent >= len(j.pages) {
		j.state = "Completed"
	}
	s.stats.PagesSent++
	s.mu.Unlock()
	w.Header().Set("Content-Type", settings.Format())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func (s *Simulator) deleteJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if j.state == "Processing" {
		j.state = "Canceled"
		j.reason = "JobCanceledByUser"
		s.stats.JobsCancelled++
	}
	w.WriteHeader(http.StatusOK)
}

// render scans page (a file at dpi) as settings ask: the region of the glass at the
// requested resolution and colour mode, the sheet in its top-left corner on a white glass.
func render(page image.Image, dpi int, st *escl.ScanSettings) ([]byte, error) {
	res := st.XResolution
	pb := page.Bounds()
	// The sheet's size at the requested resolution.
	sw := max(1, pb.Dx()*res/dpi)
	sh := max(1, pb.Dy()*res/dpi)
	out := image.Rect(0, 0, sw, sh)
	var off image.Point
	if rg := st.Region; rg != nil {
		out = image.Rect(0, 0, max(1, rg.Width*res/300), max(1, rg.Height*res/300))
		off = image.Pt(-rg.X*res/300, -rg.Y*res/300)
	}
	var dst draw.Image
	switch st.ColorMode {
	case escl.ColorRGB24:
		dst = image.NewRGBA(out)
	default:
		dst = image.NewGray(out)
	}
	draw.Draw(dst, out, image.White, image.Point{}, draw.Src)
	xdraw.ApproxBiLinear.Scale(dst, image.Rect(0, 0, sw, sh).Add(off), page, pb, draw.Over, nil)
	var img image.Image = dst
	if st.ColorMode == escl.ColorBlackWhite {
		g := dst.(*image.Gray)
		bw := image.NewPaletted(out, color.Palette{color.Black, color.White})
		for i, v := range g.Pix {
			if v >= 0x80 {
				bw.Pix[i] = 1
			}
		}
		img = bw
	}
	var buf bytes.Buffer
	if st.Format() == "image/png" {
		if err := scanner.EncodePNG(&buf, img, res); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return withJFIF(buf.Bytes(), res), nil
}

// withJFIF inserts a JFIF APP0 segment recording dpi after the JPEG start-of-image marker.
func withJFIF(data []byte, dpi int) []byte {
	app0 := []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(app0[12:], uint16(dpi))
	binary.BigEndian.PutUint16(app0[14:], uint16(dpi))
	out := make([]byte, 0, len(data)+len(app0))
	out = append(out, data[:2]...)
	out = append(out, app0...)
	return append(out, data[2:]...)
}

// Server is a simulator listening on a TCP address.
type Server struct {
	Sim    *Simulator
	ln     net.Listener
	srv    *http.Server
	done   chan error
	cancel context.CancelFunc
}

// Serve runs a simulator configured by cfg on addr (e.g. "127.0.0.1:0" for any free port),
// until ctx ends or Close is called. Like every simulator in tramso, it starts with Serve, says
// where to reach it (URL) and stops with Close.
func Serve(ctx context.Context, addr string, cfg Config) (*Server, error) {
	sim, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("không mở được cổng %s (cannot listen): %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Server{Sim: sim, ln: ln, srv: &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}, done: make(chan error, 1), cancel: cancel}
	go func() {
		err := s.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
		close(s.done)
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.srv.Shutdown(sctx)
	}()
	return s, nil
}

// Close stops the server and returns once it has stopped, with the error that stopped it, if any.
func (s *Server) Close() error {
	s.cancel()
	return s.Wait()
}

// Addr is the address the simulator listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL is the eSCL root, e.g. "http://127.0.0.1:8080/eSCL".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/eSCL" }

// Wait blocks until the server has stopped and returns why, nil after ctx ended or Close.
func (s *Server) Wait() error { return <-s.done }
