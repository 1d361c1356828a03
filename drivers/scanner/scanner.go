// Package scanner acquires document pages from flatbed and feeder (ADF) scanners.
//
// Two transports sit behind one small interface: SANE through Debian's scanimage command
// (device strings "sane:DEVICE", e.g. "sane:test" or "sane:airscan:e0:Office"), and eSCL
// (Apple AirScan / Mopria) over HTTP (device strings "escl:http://host:port/eSCL"). A scan
// yields image.Image pages together with the resolution they were scanned at, which is what
// the OCR pipeline and the PDF writer need.
//
// The package esclsim beside this one is an eSCL scanner on a loopback HTTP server; the
// package escl holds the eSCL XML documents both sides exchange.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"image"
	"iter"
	"net/http"
	"strings"
)

// Scanner is a device that scans pages.
type Scanner interface {
	// Scan starts a scan job with opts and yields each page as soon as it is complete,
	// in feed order. A failure is yielded once, as the last element, with a zero Page;
	// pages yielded before it are good. Stopping the iteration early, or ending ctx,
	// cancels the job on the device.
	Scan(ctx context.Context, opts Options) iter.Seq2[Page, error]

	// Capabilities reports what the device can do: its sources, modes and resolutions.
	Capabilities(ctx context.Context) (Capabilities, error)
}

// Page is one scanned side of a sheet.
type Page struct {
	Image  image.Image
	DPI    int    // resolution the page was scanned at, in dots per inch
	Source Source // where the sheet was
	Index  int    // 1 for the first page of the job
}

// Mode is the colour mode of a scan.
type Mode int

// Colour modes. Gray is the zero value: it is what OCR wants.
const (
	Gray    Mode = iota // 8-bit greyscale
	Color               // 24-bit RGB
	Lineart             // 1-bit black and white
)

// String returns the mode's name as ParseMode reads it.
func (m Mode) String() string {
	switch m {
	case Gray:
		return "gray"
	case Color:
		return "color"
	case Lineart:
		return "lineart"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads "gray", "color" or "lineart" (any case; "grey", "colour", "bw" too).
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "gray", "grey", "grayscale", "greyscale":
		return Gray, nil
	case "color", "colour", "rgb":
		return Color, nil
	case "lineart", "bw", "binary", "blackandwhite":
		return Lineart, nil
	}
	return 0, fmt.Errorf("chế độ màu không hợp lệ %q, dùng gray, color hoặc lineart (invalid colour mode)", s)
}

// Source is where the scanner takes the sheet from.
type Source int

// Sources. Flatbed is the zero value.
const (
	Flatbed Source = iota // the glass (eSCL "Platen")
	ADF                   // the automatic document feeder (eSCL "Feeder")
)

// String returns the source's name as ParseSource reads it.
func (s Source) String() string {
	switch s {
	case Flatbed:
		return "flatbed"
	case ADF:
		return "adf"
	}
	return fmt.Sprintf("Source(%d)", int(s))
}

// ParseSource reads "flatbed" or "adf" (any case; "platen", "feeder" too).
func ParseSource(s string) (Source, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "flatbed", "platen", "glass":
		return Flatbed, nil
	case "adf", "feeder":
		return ADF, nil
	}
	return 0, fmt.Errorf("nguồn giấy không hợp lệ %q, dùng flatbed hoặc adf (invalid source)", s)
}

// Area is the scan window in millimetres from the top-left corner of the glass or sheet.
// The zero Area means the whole of what the source can scan.
type Area struct {
	X, Y, Width, Height float64
}

// IsZero reports whether a is the whole-source default.
func (a Area) IsZero() bool { return a.Width <= 0 || a.Height <= 0 }

// Options says how to scan.
type Options struct {
	Resolution int // dots per inch; 0 means 300
	Mode       Mode
	Source     Source
	Area       Area
	// MaxPages stops a feeder job after this many pages; 0 means every sheet in the feeder.
	MaxPages int
}

// DefaultResolution is the resolution used when Options.Resolution is 0: what OCR reads best.
const DefaultResolution = 300

func (o Options) resolution() int {
	if o.Resolution <= 0 {
		return DefaultResolution
	}
	return o.Resolution
}

func (o Options) validate() error {
	if o.Resolution < 0 || o.Resolution > 4800 {
		return fmt.Errorf("%w: resolution %d dpi out of range", ErrInvalid, o.Resolution)
	}
	if o.Mode < Gray || o.Mode > Lineart {
		return fmt.Errorf("%w: %v", ErrInvalid, o.Mode)
	}
	if o.Source < Flatbed || o.Source > ADF {
		return fmt.Errorf("%w: %v", ErrInvalid, o.Source)
	}
	if o.Area.X < 0 || o.Area.Y < 0 || o.Area.Width < 0 || o.Area.Height < 0 {
		return fmt.Errorf("%w: negative scan area", ErrInvalid)
	}
	if o.MaxPages < 0 {
		return fmt.Errorf("%w: negative page count", ErrInvalid)
	}
	return nil
}

// Capabilities describes a device.
type Capabilities struct {
	MakeAndModel string
	Sources      []SourceCaps
}

// SourceCaps is what one source of a device can do.
type SourceCaps struct {
	Source Source
	Modes  []Mode
	// Resolutions lists the supported resolutions; when it is empty, any resolution from
	// MinResolution to MaxResolution is.
	Resolutions                  []int
	MinResolution, MaxResolution int
	// MaxWidth and MaxHeight are the largest scan window in millimetres (0 when unknown).
	MaxWidth, MaxHeight float64
}

// Source returns the capabilities of source s, and whether the device has it.
func (c Capabilities) Source(s Source) (SourceCaps, bool) {
	for _, sc := range c.Sources {
		if sc.Source == s {
			return sc, true
		}
	}
	return SourceCaps{}, false
}

// Device is one scanner a transport can see.
type Device struct {
	Name   string // device string for Open, e.g. "sane:test:0"
	Vendor string
	Model  string
	Type   string
}

// Errors a scan can end with. Each is worded for the person at the kiosk; callers test them
// with errors.Is. The error returned wraps one of them with the device's own message.
var (
	ErrNoDevice     = errors.New("không tìm thấy máy quét: kiểm tra nguồn và cáp (scanner not found: check power and cable)")
	ErrBusy         = errors.New("máy quét đang bận (scanner busy)")
	ErrJammed       = errors.New("kẹt giấy trong khay nạp (document feeder jammed)")
	ErrADFEmpty     = errors.New("khay nạp giấy trống (document feeder empty)")
	ErrCoverOpen    = errors.New("nắp máy quét đang mở (scanner cover open)")
	ErrIO           = errors.New("lỗi truyền dữ liệu với máy quét (scanner I/O error)")
	ErrInvalid      = errors.New("tuỳ chọn quét không hợp lệ (invalid scan option)")
	ErrAccessDenied = errors.New("không có quyền dùng máy quét (access to scanner denied)")
	ErrNoMemory     = errors.New("máy quét hết bộ nhớ (scanner out of memory)")
	ErrCancelled    = errors.New("lượt quét đã bị huỷ (scan cancelled)")
	ErrUnsupported  = errors.New("máy quét không hỗ trợ thao tác này (operation not supported by scanner)")
	ErrBadImage     = errors.New("ảnh quét không đọc được (scanned image cannot be decoded)")
)

// Config holds what opening a device may need besides its name. The zero Config uses
// scanimage from PATH, the system SANE configuration and http.DefaultClient.
type Config struct {
	// Scanimage is the scanimage program; "" means "scanimage" from PATH.
	Scanimage string
	// SANEConfigDir, when set, is passed to SANE as SANE_CONFIG_DIR (a folder with dll.conf
	// and the backends' .conf files).
	SANEConfigDir string
	// HTTPClient talks to eSCL devices; nil means a client with sensible timeouts.
	HTTPClient *http.Client
}

// Open opens a device string with the zero Config: "sane:DEVICE" or "escl:URL".
func Open(device string) (Scanner, error) { return Config{}.Open(device) }

// Open opens a device string: "sane:DEVICE" (a SANE device name as scanimage -L prints it)
// or "escl:URL" (the eSCL root, e.g. "escl:http://127.0.0.1:8080/eSCL").
func (c Config) Open(device string) (Scanner, error) {
	kind, rest, ok := strings.Cut(device, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("%w: device %q must be sane:NAME or escl:URL", ErrInvalid, device)
	}
	switch kind {
	case "sane":
		return c.SANE(rest), nil
	case "escl":
		return c.ESCL(rest)
	}
	return nil, fmt.Errorf("%w: unknown device kind %q, want sane or escl", ErrInvalid, kind)
}

// ScanAll runs a scan and collects its pages. On failure it returns the pages scanned
// before it together with the error.
func ScanAll(ctx context.Context, s Scanner, opts Options) ([]Page, error) {
	var pages []Page
	for p, err := range s.Scan(ctx, opts) {
		if err != nil {
			return pages, err
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// fail is an iterator that yields only err.
func fail(err error) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) { yield(Page{}, err) }
}

const mmPerInch = 25.4
