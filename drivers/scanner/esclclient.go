package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"iter"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/scanner/escl"
	"github.com/tramso/tramso/internal/errtext"
)

// MaxPageBytes bounds one page a device sends over eSCL.
const MaxPageBytes = 512 << 20

// ESCL is a network scanner spoken to with eSCL (AirScan, Mopria) over HTTP.
type ESCL struct {
	base   *url.URL // the eSCL root, e.g. http://host:port/eSCL (no trailing slash)
	client *http.Client

	// RetryMin and RetryMax bound the wait between retries while the device answers 503
	// (busy) without a Retry-After; the wait doubles from RetryMin up to RetryMax.
	RetryMin, RetryMax time.Duration
	// MaxRetries is how many 503 answers in a row end the scan with ErrBusy.
	MaxRetries int

	mu   sync.Mutex
	caps *escl.Capabilities
}

// ESCL returns the eSCL scanner whose root is rawURL, e.g. "http://127.0.0.1:8080/eSCL".
func (c Config) ESCL(rawURL string) (*ESCL, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: eSCL address %q must be http(s)://host:port/eSCL", ErrInvalid, rawURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{}
	}
	return &ESCL{base: u, client: client, RetryMin: 200 * time.Millisecond, RetryMax: 3 * time.Second, MaxRetries: 60}, nil
}

// Device returns the device string for Open: "escl:" and the eSCL root.
func (e *ESCL) Device() string { return "escl:" + e.base.String() }

func (e *ESCL) endpoint(path string) string {
	u := *e.base
	u.Path += "/" + path
	return u.String()
}

// do sends one request; on a transport failure the error wraps ErrNoDevice.
func (e *ESCL) do(ctx context.Context, method, target string, body []byte) (*http.Response, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/xml")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: scanner did not answer in time: %w", ErrCancelled, ctx.Err())
		}
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	return resp, nil
}

// getXML fetches an eSCL document.
func (e *ESCL) getXML(ctx context.Context, path string) ([]byte, error) {
	resp, err := e.do(ctx, http.MethodGet, e.endpoint(path), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, escl.MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrIO, path, err)
	}
	switch {
	case resp.StatusCode == http.StatusServiceUnavailable:
		return nil, fmt.Errorf("%w: %s: %s", ErrBusy, path, resp.Status)
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%w: %s not found: is this an eSCL scanner?", ErrNoDevice, path)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%w: %s: %s", ErrIO, path, resp.Status)
	}
	return data, nil
}

// RawCapabilities fetches and parses /eSCL/ScannerCapabilities, once.
func (e *ESCL) RawCapabilities(ctx context.Context) (*escl.Capabilities, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.caps != nil {
		return e.caps, nil
	}
	data, err := e.getXML(ctx, "ScannerCapabilities")
	if err != nil {
		return nil, err
	}
	caps, err := escl.ParseCapabilities(data)
	if err != nil {
		return nil, errtext.Wrap(ErrIO, fmt.Errorf("ScannerCapabilities: %w", err))
	}
	e.caps = caps
	return caps, nil
}

// Status fetches and parses /eSCL/ScannerStatus.
func (e *ESCL) Status(ctx context.Context) (*escl.Status, error) {
	data, err := e.getXML(ctx, "ScannerStatus")
	if err != nil {
		return nil, err
	}
	st, err := escl.ParseStatus(data)
	if err != nil {
		return nil, errtext.Wrap(ErrIO, fmt.Errorf("ScannerStatus: %w", err))
	}
	return st, nil
}

// Capabilities reports the device's sources, modes and resolutions.
func (e *ESCL) Capabilities(ctx context.Context) (Capabilities, error) {
	raw, err := e.RawCapabilities(ctx)
	if err != nil {
		return Capabilities{}, err
	}
	caps := Capabilities{MakeAndModel: raw.MakeAndModel}
	if caps.MakeAndModel == "" {
		caps.MakeAndModel = raw.ModelName
	}
	for _, s := range []struct {
		src Source
		ic  *escl.InputCaps
	}{{Flatbed, raw.Platen}, {ADF, raw.Adf}} {
		if s.ic == nil {
			continue
		}
		sc := SourceCaps{Source: s.src, Resolutions: s.ic.Resolutions, MinResolution: s.ic.MinResolution, MaxResolution: s.ic.MaxResolution,
			MaxWidth: hundredthsToMM(s.ic.MaxWidth), MaxHeight: hundredthsToMM(s.ic.MaxHeight)}
		for _, m := range []Mode{Gray, Color, Lineart} {
			if containsString(s.ic.ColorModes, esclMode(m)) {
				sc.Modes = append(sc.Modes, m)
			}
		}
		caps.Sources = append(caps.Sources, sc)
	}
	return caps, nil
}

func hundredthsToMM(v int) float64 { return math.Round(float64(v)*mmPerInch/300*10) / 10 }

func mmToHundredths(v float64) int { return int(math.Round(v / mmPerInch * 300)) }

func esclMode(m Mode) string {
	switch m {
	case Color:
		return escl.ColorRGB24
	case Lineart:
		return escl.ColorBlackWhite
	}
	return escl.ColorGray8
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// statusError turns a device status into the error it stands for, for source src; nil when
// the status shows no fault.
func statusError(st *escl.Status, src Source) error {
	if src == ADF {
		switch st.AdfState {
		case escl.AdfEmpty:
			return fmt.Errorf("%w: %s", ErrADFEmpty, st.AdfState)
		case escl.AdfJam:
			return fmt.Errorf("%w: %s", ErrJammed, st.AdfState)
		case escl.AdfDoorOpen:
			return fmt.Errorf("%w: %s", ErrCoverOpen, st.AdfState)
		}
	}
	if st.State == escl.StateStopped || st.State == "Down" {
		return fmt.Errorf("%w: scanner state %s", ErrIO, st.State)
	}
	return nil
}

// settings builds the ScanSettings for opts, and says whether the pages must be turned
// into black and white here because the device has no such mode.
func (e *ESCL) settings(caps *escl.Capabilities, opts Options) (*escl.ScanSettings, bool, error) {
	ic, input := caps.Platen, escl.SourcePlaten
	if opts.Source == ADF {
		ic, input = caps.Adf, escl.SourceFeeder
	}
	if ic == nil {
		return nil, false, fmt.Errorf("%w: no %v source", ErrUnsupported, opts.Source)
	}
	mode, binarise := esclMode(opts.Mode), false
	if !containsString(ic.ColorModes, mode) {
		if opts.Mode == Lineart && containsString(ic.ColorModes, escl.ColorGray8) {
			mode, binarise = escl.ColorGray8, true
		} else {
			return nil, false, fmt.Errorf("%w: mode %v", ErrUnsupported, opts.Mode)
		}
	}
	var format string
	for _, f := range []string{"image/png", "image/jpeg"} {
		if containsString(ic.DocumentFormats, f) {
			format = f
			break
		}
	}
	if format == "" {
		return nil, false, fmt.Errorf("%w: scanner offers neither PNG nor JPEG", ErrUnsupported)
	}
	res := opts.resolution()
	if len(ic.Resolutions) > 0 {
		res = nearestResolution(saneOption{Values: intsToStrings(ic.Resolutions)}, res)
	} else if ic.MaxResolution > 0 {
		res = nearestResolution(saneOption{IsRange: true, Min: float64(ic.MinResolution), Max: float64(ic.MaxResolution)}, res)
	}
	region := &escl.Region{Width: ic.MaxWidth, Height: ic.MaxHeight}
	if !opts.Area.IsZero() {
		region = &escl.Region{X: mmToHundredths(opts.Area.X), Y: mmToHundredths(opts.Area.Y),
			Width: mmToHundredths(opts.Area.Width), Height: mmToHundredths(opts.Area.Height)}
	}
	if region.Width <= 0 || region.Height <= 0 {
		region = nil
	}
	return &escl.ScanSettings{
		Version: "2.0", Intent: "TextAndGraphic", Region: region, InputSource: input, ColorMode: mode,
		XResolution: res, YResolution: res, DocumentFormat: format, DocumentFormatExt: format,
	}, binarise, nil
}

func intsToStrings(v []int) []string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return s
}

// Scan runs one eSCL scan job: one page from the platen, or every sheet in the feeder.
func (e *ESCL) Scan(ctx context.Context, opts Options) iter.Seq2[Page, error] {
	if err := opts.validate(); err != nil {
		return fail(err)
	}
	return func(yield func(Page, error) bool) {
		caps, err := e.RawCapabilities(ctx)
		if err != nil {
			yield(Page{}, err)
			return
		}
		settings, binarise, err := e.settings(caps, opts)
		if err != nil {
			yield(Page{}, err)
			return
		}
		if st, err := e.Status(ctx); err == nil {
			if err := statusError(st, opts.Source); err != nil {
				yield(Page{}, err)
				return
			}
		}
		job, err := e.createJob(ctx, settings, opts.Source)
		if err != nil {
			yield(Page{}, err)
			return
		}
		done := false
		defer func() {
			if !done {
				e.cancelJob(ctx, job)
			}
		}()
		limit := opts.MaxPages
		if opts.Source == Flatbed {
			limit = 1
		}
		for n := 1; limit == 0 || n <= limit; n++ {
			page, more, err := e.nextDocument(ctx, job, opts.Source, n)
			if err != nil {
				yield(Page{}, err)
				return
			}
			if !more {
				done = true
				return
			}
			if page.DPI <= 0 {
				page.DPI = settings.XResolution
			}
			if binarise {
				page.Image = threshold(page.Image)
			}
			if !yield(page, nil) {
				return
			}
		}
		// The page limit was reached (the platen holds one sheet): the deferred DELETE
		// closes the job and leaves any further sheets in the feeder.
	}
}

// createJob posts the scan settings and returns the job URL.
func (e *ESCL) createJob(ctx context.Context, s *escl.ScanSettings, src Source) (string, error) {
	body := s.Encode()
	wait := e.RetryMin
	for try := 0; ; try++ {
		resp, err := e.do(ctx, http.MethodPost, e.endpoint("ScanJobs"), body)
		if err != nil {
			return "", err
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusCreated:
			loc := resp.Header.Get("Location")
			if loc == "" {
				return "", fmt.Errorf("%w: ScanJobs: no Location header", ErrIO)
			}
			ref, err := url.Parse(loc)
			if err != nil {
				return "", fmt.Errorf("%w: ScanJobs: Location %q: %w", ErrIO, loc, err)
			}
			// Devices often name themselves in Location by a host name the kiosk cannot
			// resolve: keep the path and talk to the address we know.
			u := *e.base
			u.Path = e.base.ResolveReference(ref).Path
			return strings.TrimRight(u.String(), "/"), nil
		case http.StatusServiceUnavailable, http.StatusConflict:
			if st, err := e.Status(ctx); err == nil {
				if err := statusError(st, src); err != nil {
					return "", err
				}
			}
			if resp.StatusCode == http.StatusConflict || try >= e.MaxRetries {
				return "", fmt.Errorf("%w: ScanJobs: %s", ErrBusy, resp.Status)
			}
			if err := sleep(ctx, retryAfter(resp, wait)); err != nil {
				return "", err
			}
			wait = min(2*wait, e.RetryMax)
		case http.StatusBadRequest:
			return "", fmt.Errorf("%w: scanner refused the scan settings: %s", ErrInvalid, resp.Status)
		default:
			return "", fmt.Errorf("%w: ScanJobs: %s", ErrIO, resp.Status)
		}
	}
}

// nextDocument fetches page n of job; more is false when the job has no more pages.
func (e *ESCL) nextDocument(ctx context.Context, job string, src Source, n int) (page Page, more bool, err error) {
	wait := e.RetryMin
	for try := 0; ; try++ {
		resp, err := e.do(ctx, http.MethodGet, job+"/NextDocument", nil)
		if err != nil {
			return Page{}, false, err
		}
		switch resp.StatusCode {
		case http.StatusOK:
			data, err := io.ReadAll(io.LimitReader(resp.Body, MaxPageBytes+1))
			resp.Body.Close()
			if err != nil {
				return Page{}, false, fmt.Errorf("%w: page %d: %w", ErrIO, n, err)
			}
			if len(data) > MaxPageBytes {
				return Page{}, false, fmt.Errorf("%w: page %d too large", ErrBadImage, n)
			}
			img, dpi, err := DecodePage(data, 0, MaxPagePixels)
			if err != nil {
				return Page{}, false, fmt.Errorf("trang %d (page %d): %w", n, n, err)
			}
			return Page{Image: img, DPI: dpi, Source: src, Index: n}, true, nil
		case http.StatusNotFound:
			resp.Body.Close()
			// No more pages: the feeder is done, empty or stuck; the status says which.
			st, serr := e.Status(ctx)
			if serr == nil {
				if err := statusError(st, src); err != nil && (n == 1 || !errors.Is(err, ErrADFEmpty)) {
					return Page{}, false, err
				}
			}
			if n == 1 {
				if src == ADF {
					return Page{}, false, fmt.Errorf("%w: NextDocument 404", ErrADFEmpty)
				}
				return Page{}, false, fmt.Errorf("%w: scanner returned no page", ErrIO)
			}
			return Page{}, false, nil
		case http.StatusServiceUnavailable:
			resp.Body.Close()
			if try >= e.MaxRetries {
				return Page{}, false, fmt.Errorf("%w: NextDocument: %s", ErrBusy, resp.Status)
			}
			if err := sleep(ctx, retryAfter(resp, wait)); err != nil {
				return Page{}, false, err
			}
			wait = min(2*wait, e.RetryMax)
		case http.StatusConflict:
			resp.Body.Close()
			if st, err := e.Status(ctx); err == nil {
				if err := statusError(st, src); err != nil {
					return Page{}, false, err
				}
			}
			return Page{}, false, fmt.Errorf("%w: NextDocument: %s", ErrBusy, resp.Status)
		default:
			resp.Body.Close()
			if st, err := e.Status(ctx); err == nil {
				if err := statusError(st, src); err != nil {
					return Page{}, false, err
				}
			}
			return Page{}, false, fmt.Errorf("%w: NextDocument: %s", ErrIO, resp.Status)
		}
	}
}

// cancelJob deletes the job on the device, even when ctx has ended.
func (e *ESCL) cancelJob(ctx context.Context, job string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	resp, err := e.do(ctx, http.MethodDelete, job, nil)
	if err == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
}

// maxRetryAfter caps how long a device may ask us to wait in one go.
const maxRetryAfter = 30 * time.Second

// retryAfter returns the wait a 503 answer asks for (Retry-After in seconds or as a date),
// or def when it asks for none.
func retryAfter(resp *http.Response, def time.Duration) time.Duration {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return def
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(time.Until(t), 0), maxRetryAfter)
	}
	return def
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w: scan stopped: %w", ErrCancelled, ctx.Err())
	case <-t.C:
		return nil
	}
}

// threshold turns a page into black and white at the middle grey.
func threshold(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (299*r+587*g+114*bl)/1000 >= 0x8000 {
				out.Pix[(y-b.Min.Y)*out.Stride+(x-b.Min.X)] = 0xff
			}
		}
	}
	return out
}
