package escl

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseCapabilitiesOfADevice(t *testing.T) {
	data, err := os.ReadFile("testdata/capabilities.xml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCapabilities(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.MakeAndModel != "Example MFP 4100" || c.Version != "2.63" {
		t.Errorf("%+v", c)
	}
	if c.Platen == nil || c.Adf == nil {
		t.Fatalf("sources %+v %+v", c.Platen, c.Adf)
	}
	p := c.Platen
	if p.MaxWidth != 2550 || p.MaxHeight != 3508 || !reflect.DeepEqual(p.Resolutions, []int{75, 150, 300, 600}) ||
		!reflect.DeepEqual(p.ColorModes, []string{"BlackAndWhite1", "Grayscale8", "RGB24"}) ||
		!reflect.DeepEqual(p.DocumentFormats, []string{"application/pdf", "image/jpeg"}) {
		t.Errorf("platen %+v", p)
	}
	if a := c.Adf; a.MinResolution != 100 || a.MaxResolution != 300 || len(a.Resolutions) != 0 {
		t.Errorf("adf %+v", a)
	}
}

func TestCapabilitiesRoundTrip(t *testing.T) {
	in := &Capabilities{
		Version: "2.6", MakeAndModel: "Máy quét & <thử>", ModelName: "M", SerialNumber: "S", UUID: "U",
		Platen: &InputCaps{MinWidth: 16, MaxWidth: 2550, MinHeight: 16, MaxHeight: 3508,
			ColorModes: []string{"Grayscale8", "RGB24"}, DocumentFormats: []string{"image/jpeg", "image/png"}, Resolutions: []int{150, 300}},
		Adf: &InputCaps{MinWidth: 16, MaxWidth: 2550, MinHeight: 16, MaxHeight: 4200,
			ColorModes: []string{"Grayscale8"}, DocumentFormats: []string{"image/png"}, MinResolution: 75, MaxResolution: 600},
	}
	out, err := ParseCapabilities(in.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n%+v\n%+v", in, out)
	}
	if !strings.Contains(string(in.Encode()), "<scan:ScannerCapabilities xmlns:scan=") {
		t.Error("document does not use the scan: prefix devices and clients expect")
	}
}

func TestStatusAndSettingsRoundTrip(t *testing.T) {
	st := &Status{Version: "2.6", State: StateProcessing, AdfState: AdfJam, Jobs: []JobInfo{
		{URI: "/eSCL/ScanJobs/1", UUID: "1", State: "Aborted", StateReasons: []string{"JobScanJam"}, ImagesCompleted: 2, ImagesToTransfer: 1},
	}}
	got, err := ParseStatus(st.Encode())
	if err != nil || !reflect.DeepEqual(st, got) {
		t.Fatalf("status round trip: %+v %v", got, err)
	}
	ss := &ScanSettings{Version: "2.0", Intent: "Document", Region: &Region{X: 1, Y: 2, Width: 300, Height: 400},
		InputSource: SourceFeeder, ColorMode: ColorGray8, XResolution: 300, YResolution: 300,
		DocumentFormat: "image/png", DocumentFormatExt: "image/png", Duplex: false}
	gs, err := ParseScanSettings(ss.Encode())
	if err != nil || !reflect.DeepEqual(ss, gs) {
		t.Fatalf("settings round trip: %+v %v", gs, err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, doc := range []string{
		"",
		"<html><body>printer setup</body></html>",
		`<scan:ScannerStatus xmlns:scan="x"><pwg:State xmlns:pwg="y"></pwg:State></scan:ScannerStatus>`,
		`<scan:ScannerStatus xmlns:scan="x"><State>Idle</State>`,
		strings.Repeat(" ", MaxDocumentSize+1) + "<ScannerStatus><State>Idle</State></ScannerStatus>",
	} {
		if _, err := ParseStatus([]byte(doc)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%.40q: %v", doc, err)
		}
	}
	if _, err := ParseCapabilities([]byte(`<ScannerCapabilities><MakeAndModel>x</MakeAndModel></ScannerCapabilities>`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("capabilities without sources: %v", err)
	}
	if _, err := ParseScanSettings([]byte(`<ScanSettings><ScanRegions><ScanRegion><Width>-3</Width></ScanRegion></ScanRegions></ScanSettings>`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("negative region: %v", err)
	}
	// Unprefixed documents, as some devices send, are read too.
	st, err := ParseStatus([]byte(`<ScannerStatus><State>Idle</State><AdfState>ScannerAdfEmpty</AdfState></ScannerStatus>`))
	if err != nil || st.AdfState != AdfEmpty {
		t.Errorf("%+v %v", st, err)
	}
}

func seedFiles(f *testing.F, docs ...[]byte) {
	for _, d := range docs {
		f.Add(d)
	}
}

func FuzzParseCapabilities(f *testing.F) {
	data, err := os.ReadFile("testdata/capabilities.xml")
	if err != nil {
		f.Fatal(err)
	}
	c := &Capabilities{MakeAndModel: "x", Adf: &InputCaps{ColorModes: []string{"RGB24"}, Resolutions: []int{300}}}
	seedFiles(f, data, c.Encode(), []byte("<ScannerCapabilities/>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCapabilities(data)
		if err != nil {
			return
		}
		if c.Platen == nil && c.Adf == nil {
			t.Fatal("accepted without sources")
		}
		for _, ic := range []*InputCaps{c.Platen, c.Adf} {
			if ic != nil && (len(ic.ColorModes) > maxListLen || len(ic.Resolutions) > maxListLen || len(ic.DocumentFormats) > maxListLen) {
				t.Fatal("list over bound")
			}
		}
		// What was read can be written and read back the same.
		if _, err := ParseCapabilities(c.Encode()); err != nil {
			t.Fatalf("re-encoded capabilities unreadable: %v", err)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	st := &Status{State: StateIdle, AdfState: AdfLoaded, Jobs: []JobInfo{{URI: "/eSCL/ScanJobs/1", State: "Completed"}}}
	seedFiles(f, st.Encode(), []byte(`<ScannerStatus><State>Idle</State></ScannerStatus>`), []byte(`<a:ScannerStatus xmlns:a="u"><a:State>Down</a:State><a:Jobs><a:JobInfo/></a:Jobs></a:ScannerStatus>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStatus(data)
		if err != nil {
			return
		}
		if st.State == "" || len(st.Jobs) > maxListLen {
			t.Fatalf("%+v", st)
		}
		if _, err := ParseStatus(st.Encode()); err != nil {
			t.Fatalf("re-encoded status unreadable: %v", err)
		}
	})
}

func FuzzParseScanSettings(f *testing.F) {
	ss := &ScanSettings{InputSource: SourcePlaten, ColorMode: ColorRGB24, XResolution: 300, YResolution: 300, DocumentFormat: "image/jpeg", Region: &Region{Width: 10, Height: 10}}
	seedFiles(f, ss.Encode(), []byte(`<ScanSettings/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScanSettings(data)
		if err != nil {
			return
		}
		if s.XResolution < 0 || (s.Region != nil && (s.Region.Width < 0 || s.Region.X < 0)) {
			t.Fatalf("%+v", s)
		}
	})
}
