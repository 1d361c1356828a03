// Package escl reads and writes the XML documents of eSCL (Apple AirScan, Mopria scan), the
// HTTP scanning protocol of network scanners: ScannerCapabilities, ScannerStatus and
// ScanSettings. Both the eSCL client in package scanner and the simulator in esclsim use it.
//
// Reading matches elements by local name and ignores unknown ones, as devices differ in the
// namespaces and extras they send; writing uses the usual scan: and pwg: prefixes. Lengths
// are in three-hundredths of an inch, as on the wire.
package escl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Namespaces of eSCL documents.
const (
	NSScan = "http://schemas.hp.com/imaging/escl/2011/05/03"
	NSPWG  = "http://www.pwg.org/schemas/2010/12/sm"
)

// MaxDocumentSize bounds an eSCL XML document; larger ones are refused unread.
const MaxDocumentSize = 1 << 20

// maxListLen bounds each list read from a document (modes, formats, resolutions, jobs).
const maxListLen = 64

// Input sources and colour modes as eSCL names them.
const (
	SourcePlaten = "Platen"
	SourceFeeder = "Feeder"

	ColorRGB24      = "RGB24"
	ColorGray8      = "Grayscale8"
	ColorBlackWhite = "BlackAndWhite1"

	StateIdle       = "Idle"
	StateProcessing = "Processing"
	StateStopped    = "Stopped"

	AdfLoaded   = "ScannerAdfLoaded"
	AdfEmpty    = "ScannerAdfEmpty"
	AdfJam      = "ScannerAdfJam"
	AdfDoorOpen = "ScannerAdfDoorOpen"
)

// ErrMalformed is returned for a document that is not the expected eSCL XML.
var ErrMalformed = errors.New("tài liệu eSCL không hợp lệ (malformed eSCL document)")

// Capabilities is a scan:ScannerCapabilities document.
type Capabilities struct {
	Version      string
	MakeAndModel string
	ModelName    string
	SerialNumber string
	UUID         string
	Platen       *InputCaps // nil when the device has no glass
	Adf          *InputCaps // simplex feeder; nil when the device has none
}

// InputCaps is what one input source can do.
type InputCaps struct {
	MinWidth, MaxWidth, MinHeight, MaxHeight int // 1/300 inch
	ColorModes                               []string
	DocumentFormats                          []string // MIME types
	Resolutions                              []int    // discrete resolutions (X = Y)
	MinResolution, MaxResolution             int      // a range, when the device gives one
}

// Status is a scan:ScannerStatus document.
type Status struct {
	Version  string
	State    string // Idle, Processing, Testing, Stopped, Down
	AdfState string // ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam, … ("" when absent)
	Jobs     []JobInfo
}

// JobInfo is one scan:JobInfo of a status document.
type JobInfo struct {
	URI              string
	UUID             string
	State            string // Pending, Processing, Completed, Canceled, Aborted
	StateReasons     []string
	ImagesCompleted  int
	ImagesToTransfer int
}

// Region is a pwg:ScanRegion.
type Region struct {
	X, Y, Width, Height int // 1/300 inch
}

// ScanSettings is a scan:ScanSettings document, the body of POST /eSCL/ScanJobs.
type ScanSettings struct {
	Version           string
	Intent            string // Document, TextAndGraphic, Photo, Preview
	Region            *Region
	InputSource       string // Platen or Feeder
	ColorMode         string
	XResolution       int
	YResolution       int
	DocumentFormat    string // pwg:DocumentFormat
	DocumentFormatExt string // scan:DocumentFormatExt
	Duplex            bool
}

// Format returns the requested MIME type, preferring scan:DocumentFormatExt.
func (s *ScanSettings) Format() string {
	if s.DocumentFormatExt != "" {
		return s.DocumentFormatExt
	}
	return s.DocumentFormat
}

func checkSize(data []byte) error {
	if len(data) > MaxDocumentSize {
		return fmt.Errorf("%w: %d byte", ErrMalformed, len(data))
	}
	return nil
}

func decode(data []byte, v any) error {
	if err := checkSize(data); err != nil {
		return err
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

type xmlResolution struct {
	X int `xml:"XResolution"`
	Y int `xml:"YResolution"`
}

type xmlRange struct {
	Min int `xml:"Min"`
	Max int `xml:"Max"`
}

type xmlInputCaps struct {
	MinWidth  int `xml:"MinWidth"`
	MaxWidth  int `xml:"MaxWidth"`
	MinHeight int `xml:"MinHeight"`
	MaxHeight int `xml:"MaxHeight"`
	Profiles  []struct {
		ColorModes []string        `xml:"ColorModes>ColorMode"`
		Formats    []string        `xml:"DocumentFormats>DocumentFormat"`
		FormatsExt []string        `xml:"DocumentFormats>DocumentFormatExt"`
		Discrete   []xmlResolution `xml:"SupportedResolutions>DiscreteResolutions>DiscreteResolution"`
		RangeX     *xmlRange       `xml:"SupportedResolutions>ResolutionRange>XResolution"`
	} `xml:"SettingProfiles>SettingProfile"`
}

func (x *xmlInputCaps) caps() *InputCaps {
	if x == nil {
		return nil
	}
	c := &InputCaps{MinWidth: x.MinWidth, MaxWidth: x.MaxWidth, MinHeight: x.MinHeight, MaxHeight: x.MaxHeight}
	for _, p := range x.Profiles {
		for _, m := range p.ColorModes {
			c.ColorModes = addString(c.ColorModes, strings.TrimSpace(m))
		}
		for _, f := range append(p.Formats, p.FormatsExt...) {
			c.DocumentFormats = addString(c.DocumentFormats, strings.ToLower(strings.TrimSpace(f)))
		}
		for _, r := range p.Discrete {
			if r.X > 0 && r.X == r.Y && len(c.Resolutions) < maxListLen && !hasInt(c.Resolutions, r.X) {
				c.Resolutions = append(c.Resolutions, r.X)
			}
		}
		if p.RangeX != nil && p.RangeX.Min > 0 && p.RangeX.Min <= p.RangeX.Max {
			c.MinResolution, c.MaxResolution = p.RangeX.Min, p.RangeX.Max
		}
	}
	return c
}

func addString(list []string, s string) []string {
	if s == "" || len(list) >= maxListLen {
		return list
	}
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

func hasInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// ParseCapabilities reads a scan:ScannerCapabilities document.
func ParseCapabilities(data []byte) (*Capabilities, error) {
	var x struct {
		XMLName      xml.Name      `xml:"ScannerCapabilities"`
		Version      string        `xml:"Version"`
		MakeAndModel string        `xml:"MakeAndModel"`
		ModelName    string        `xml:"ModelName"`
		SerialNumber string        `xml:"SerialNumber"`
		UUID         string        `xml:"UUID"`
		Platen       *xmlInputCaps `xml:"Platen>PlatenInputCaps"`
		Adf          *xmlInputCaps `xml:"Adf>AdfSimplexInputCaps"`
	}
	if err := decode(data, &x); err != nil {
		return nil, err
	}
	c := &Capabilities{
		Version:      strings.TrimSpace(x.Version),
		MakeAndModel: strings.TrimSpace(x.MakeAndModel),
		ModelName:    strings.TrimSpace(x.ModelName),
		SerialNumber: strings.TrimSpace(x.SerialNumber),
		UUID:         strings.TrimSpace(x.UUID),
		Platen:       x.Platen.caps(),
		Adf:          x.Adf.caps(),
	}
	if c.Platen == nil && c.Adf == nil {
		return nil, fmt.Errorf("%w: neither platen nor feeder", ErrMalformed)
	}
	return c, nil
}

// ParseStatus reads a scan:ScannerStatus document.
func ParseStatus(data []byte) (*Status, error) {
	var x struct {
		XMLName  xml.Name `xml:"ScannerStatus"`
		Version  string   `xml:"Version"`
		State    string   `xml:"State"`
		AdfState string   `xml:"AdfState"`
		Jobs     []struct {
			URI              string   `xml:"JobUri"`
			UUID             string   `xml:"JobUuid"`
			State            string   `xml:"JobState"`
			Reasons          []string `xml:"JobStateReasons>JobStateReason"`
			ImagesCompleted  int      `xml:"ImagesCompleted"`
			ImagesToTransfer int      `xml:"ImagesToTransfer"`
		} `xml:"Jobs>JobInfo"`
	}
	if err := decode(data, &x); err != nil {
		return nil, err
	}
	s := &Status{Version: strings.TrimSpace(x.Version), State: strings.TrimSpace(x.State), AdfState: strings.TrimSpace(x.AdfState)}
	if s.State == "" {
		return nil, fmt.Errorf("%w: missing pwg:State", ErrMalformed)
	}
	for _, j := range x.Jobs {
		if len(s.Jobs) >= maxListLen {
			break
		}
		ji := JobInfo{URI: strings.TrimSpace(j.URI), UUID: strings.TrimSpace(j.UUID), State: strings.TrimSpace(j.State),
			ImagesCompleted: j.ImagesCompleted, ImagesToTransfer: j.ImagesToTransfer}
		for _, r := range j.Reasons {
			ji.StateReasons = addString(ji.StateReasons, strings.TrimSpace(r))
		}
		s.Jobs = append(s.Jobs, ji)
	}
	return s, nil
}

// ParseScanSettings reads a scan:ScanSettings document.
func ParseScanSettings(data []byte) (*ScanSettings, error) {
	var x struct {
		XMLName xml.Name `xml:"ScanSettings"`
		Version string   `xml:"Version"`
		Intent  string   `xml:"Intent"`
		Regions []struct {
			Units  string `xml:"ContentRegionUnits"`
			X      int    `xml:"XOffset"`
			Y      int    `xml:"YOffset"`
			Width  int    `xml:"Width"`
			Height int    `xml:"Height"`
		} `xml:"ScanRegions>ScanRegion"`
		InputSource       string `xml:"InputSource"`
		ColorMode         string `xml:"ColorMode"`
		XResolution       int    `xml:"XResolution"`
		YResolution       int    `xml:"YResolution"`
		DocumentFormat    string `xml:"DocumentFormat"`
		DocumentFormatExt string `xml:"DocumentFormatExt"`
		Duplex            string `xml:"Duplex"`
	}
	if err := decode(data, &x); err != nil {
		return nil, err
	}
	s := &ScanSettings{
		Version:           strings.TrimSpace(x.Version),
		Intent:            strings.TrimSpace(x.Intent),
		InputSource:       strings.TrimSpace(x.InputSource),
		ColorMode:         strings.TrimSpace(x.ColorMode),
		XResolution:       x.XResolution,
		YResolution:       x.YResolution,
		DocumentFormat:    strings.ToLower(strings.TrimSpace(x.DocumentFormat)),
		DocumentFormatExt: strings.ToLower(strings.TrimSpace(x.DocumentFormatExt)),
		Duplex:            strings.TrimSpace(x.Duplex) == "true",
	}
	if len(x.Regions) > 0 {
		r := x.Regions[0]
		if r.X < 0 || r.Y < 0 || r.Width < 0 || r.Height < 0 {
			return nil, fmt.Errorf("%w: negative scan region", ErrMalformed)
		}
		s.Region = &Region{X: r.X, Y: r.Y, Width: r.Width, Height: r.Height}
	}
	if s.XResolution < 0 || s.YResolution < 0 {
		return nil, fmt.Errorf("%w: negative resolution", ErrMalformed)
	}
	return s, nil
}

// writer builds an eSCL document with the scan: and pwg: prefixes.
type writer struct {
	b     bytes.Buffer
	depth int
}

func newWriter(root string) *writer {
	w := &writer{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&w.b, `<%s xmlns:scan="%s" xmlns:pwg="%s">`+"\n", root, NSScan, NSPWG)
	w.depth = 1
	return w
}

func (w *writer) indent() { w.b.WriteString(strings.Repeat("  ", w.depth)) }

func (w *writer) open(name string) {
	w.indent()
	fmt.Fprintf(&w.b, "<%s>\n", name)
	w.depth++
}

func (w *writer) close(name string) {
	w.depth--
	w.indent()
	fmt.Fprintf(&w.b, "</%s>\n", name)
}

func (w *writer) text(name, value string) {
	w.indent()
	fmt.Fprintf(&w.b, "<%s>", name)
	xml.EscapeText(&w.b, []byte(value))
	fmt.Fprintf(&w.b, "</%s>\n", name)
}

func (w *writer) int(name string, v int) { w.text(name, strconv.Itoa(v)) }

func (w *writer) finish(root string) []byte {
	fmt.Fprintf(&w.b, "</%s>\n", root)
	return w.b.Bytes()
}

// Encode writes c as a scan:ScannerCapabilities document.
func (c *Capabilities) Encode() []byte {
	w := newWriter("scan:ScannerCapabilities")
	version := c.Version
	if version == "" {
		version = "2.6"
	}
	w.text("pwg:Version", version)
	w.text("pwg:MakeAndModel", c.MakeAndModel)
	if c.ModelName != "" {
		w.text("pwg:ModelName", c.ModelName)
	}
	if c.SerialNumber != "" {
		w.text("pwg:SerialNumber", c.SerialNumber)
	}
	if c.UUID != "" {
		w.text("scan:UUID", c.UUID)
	}
	if c.Platen != nil {
		w.open("scan:Platen")
		c.Platen.encode(w, "scan:PlatenInputCaps")
		w.close("scan:Platen")
	}
	if c.Adf != nil {
		w.open("scan:Adf")
		c.Adf.encode(w, "scan:AdfSimplexInputCaps")
		w.text("scan:FeederCapacity", "50")
		w.close("scan:Adf")
	}
	return w.finish("scan:ScannerCapabilities")
}

func (ic *InputCaps) encode(w *writer, name string) {
	w.open(name)
	w.int("scan:MinWidth", ic.MinWidth)
	w.int("scan:MaxWidth", ic.MaxWidth)
	w.int("scan:MinHeight", ic.MinHeight)
	w.int("scan:MaxHeight", ic.MaxHeight)
	w.open("scan:SettingProfiles")
	w.open("scan:SettingProfile")
	w.open("scan:ColorModes")
	for _, m := range ic.ColorModes {
		w.text("scan:ColorMode", m)
	}
	w.close("scan:ColorModes")
	w.open("scan:DocumentFormats")
	for _, f := range ic.DocumentFormats {
		w.text("pwg:DocumentFormat", f)
	}
	for _, f := range ic.DocumentFormats {
		w.text("scan:DocumentFormatExt", f)
	}
	w.close("scan:DocumentFormats")
	w.open("scan:SupportedResolutions")
	if len(ic.Resolutions) > 0 {
		w.open("scan:DiscreteResolutions")
		for _, r := range ic.Resolutions {
			w.open("scan:DiscreteResolution")
			w.int("scan:XResolution", r)
			w.int("scan:YResolution", r)
			w.close("scan:DiscreteResolution")
		}
		w.close("scan:DiscreteResolutions")
	} else {
		w.open("scan:ResolutionRange")
		for _, axis := range []string{"scan:XResolution", "scan:YResolution"} {
			w.open(axis)
			w.int("scan:Min", ic.MinResolution)
			w.int("scan:Max", ic.MaxResolution)
			w.int("scan:Normal", ic.MaxResolution)
			w.int("scan:Step", 1)
			w.close(axis)
		}
		w.close("scan:ResolutionRange")
	}
	w.close("scan:SupportedResolutions")
	w.close("scan:SettingProfile")
	w.close("scan:SettingProfiles")
	w.close(name)
}

// Encode writes s as a scan:ScannerStatus document.
func (s *Status) Encode() []byte {
	w := newWriter("scan:ScannerStatus")
	version := s.Version
	if version == "" {
		version = "2.6"
	}
	w.text("pwg:Version", version)
	w.text("pwg:State", s.State)
	if s.AdfState != "" {
		w.text("scan:AdfState", s.AdfState)
	}
	if len(s.Jobs) > 0 {
		w.open("scan:Jobs")
		for _, j := range s.Jobs {
			w.open("scan:JobInfo")
			w.text("pwg:JobUri", j.URI)
			w.text("pwg:JobUuid", j.UUID)
			w.int("scan:Age", 0)
			w.int("pwg:ImagesCompleted", j.ImagesCompleted)
			w.int("pwg:ImagesToTransfer", j.ImagesToTransfer)
			w.text("pwg:JobState", j.State)
			if len(j.StateReasons) > 0 {
				w.open("pwg:JobStateReasons")
				for _, r := range j.StateReasons {
					w.text("pwg:JobStateReason", r)
				}
				w.close("pwg:JobStateReasons")
			}
			w.close("scan:JobInfo")
		}
		w.close("scan:Jobs")
	}
	return w.finish("scan:ScannerStatus")
}

// Encode writes s as a scan:ScanSettings document.
func (s *ScanSettings) Encode() []byte {
	w := newWriter("scan:ScanSettings")
	version := s.Version
	if version == "" {
		version = "2.0"
	}
	w.text("pwg:Version", version)
	if s.Intent != "" {
		w.text("scan:Intent", s.Intent)
	}
	if s.Region != nil {
		w.open("pwg:ScanRegions")
		w.open("pwg:ScanRegion")
		w.text("pwg:ContentRegionUnits", "escl:ThreeHundredthsOfInches")
		w.int("pwg:XOffset", s.Region.X)
		w.int("pwg:YOffset", s.Region.Y)
		w.int("pwg:Width", s.Region.Width)
		w.int("pwg:Height", s.Region.Height)
		w.close("pwg:ScanRegion")
		w.close("pwg:ScanRegions")
	}
	w.text("pwg:InputSource", s.InputSource)
	if s.ColorMode != "" {
		w.text("scan:ColorMode", s.ColorMode)
	}
	if s.DocumentFormat != "" {
		w.text("pwg:DocumentFormat", s.DocumentFormat)
	}
	if s.DocumentFormatExt != "" {
		w.text("scan:DocumentFormatExt", s.DocumentFormatExt)
	}
	w.int("scan:XResolution", s.XResolution)
	w.int("scan:YResolution", s.YResolution)
	if s.InputSource == SourceFeeder {
		w.text("scan:Duplex", strconv.FormatBool(s.Duplex))
	}
	return w.finish("scan:ScanSettings")
}
