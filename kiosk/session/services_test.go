package session

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDossierCodeFrom(t *testing.T) {
	for in, want := range map[string]string{
		"000.00.21.H26-261207-0001":                                           "000.00.21.H26-261207-0001",
		"  000.00.21.h26-261207-0001 ":                                        "000.00.21.H26-261207-0001",
		"https://dichvucong.example.vn/tra-cuu?ma=000.00.21.H26-261207-0001":  "000.00.21.H26-261207-0001",
		"https://dichvucong.example.vn/ho-so/000.00.21.H26-261207-0001":       "000.00.21.H26-261207-0001",
		"SIM-01-261207-0003":                                                  "SIM-01-261207-0003",
		"https://x.example/tra-cuu?lang=vi&ma=H56.14-240823-0001":             "H56.14-240823-0001",
		"079092001234|012345678|Trần Văn Ẩn|03021992|Nam|Phường Ô Chợ Dừa|15": "",
		"https://example.com/":                                                "",
		"ftp://x.example/000.00.21.H26-261207-0001":                           "",
		"javascript:alert(1)":                                                 "",
		"000.00.21.H26-261207-001":                                            "", // three-digit sequence
		"000.00.21.H26-2612O7-0001":                                           "", // a letter in the date
		"-261207-0001":                                                        "",
		"A-1-0001":                                                            "",
		strings.Repeat("A", 45) + "-261207-0001":                              "",
	} {
		got, ok := DossierCodeFrom(in)
		if got != want || ok != (want != "") {
			t.Errorf("DossierCodeFrom(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestStatusWords(t *testing.T) {
	for code := 1; code <= 10; code++ {
		st, next := statusWords(code)
		if st.Vi == "" || st.En == "" || next == nil || next.Vi == "" || !utf8.ValidString(st.Vi) {
			t.Errorf("status %d: %+v %+v", code, st, next)
		}
	}
	if st, next := statusWords(0); st.Code != "status_unknown" || next != nil {
		t.Errorf("status 0 worded as %+v %+v", st, next)
	}
	if st, _ := statusWords(11); st.Code != "status_unknown" {
		t.Errorf("status 11 worded as %+v", st)
	}
	// What the kiosk knows offline never reads as a status of the handling.
	for _, state := range []string{"captured", "queued", "uploading", "accepted", "rejected", "needs-staff", "other"} {
		st, _ := localWords(state)
		if !strings.HasPrefix(st.Code, "local_") || strings.Contains(st.Vi, "xử lý xong") {
			t.Errorf("%s worded as %+v", state, st)
		}
	}
}

// FuzzDossierCodeFrom feeds the tracker's parser what a QR scanner or a keyboard may send: it never
// panics, and what it finds is a code of letters, digits, dots and dashes, upper case.
func FuzzDossierCodeFrom(f *testing.F) {
	for _, s := range []string{"000.00.21.H26-261207-0001", "https://dichvucong.example.vn/tra-cuu?ma=000.00.21.H26-261207-0001",
		"https://a.example/%zz?ma=x", "SIM-01-261207-0003", "079092001234|012345678|Trần Văn Ẩn|03021992|Nam||", "http://[::1]:80/a-1-0001",
		"https://a.example/?ma=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := DossierCodeFrom(s)
		if !ok {
			if code != "" {
				t.Fatalf("no code but %q", code)
			}
			return
		}
		if !codeLike(code) || strings.ToUpper(code) != code {
			t.Fatalf("%q gave %q", s, code)
		}
	})
}
