package escpossim

import (
	"bytes"
	"testing"
)

// GS I answers as Epson documents it: one byte for the model and type IDs, a block 5F … 00 for
// names; unknown n gets nothing and is reported.
func TestTransmitPrinterID(t *testing.T) {
	ask := func(ns ...byte) []byte {
		var b []byte
		for _, n := range ns {
			b = append(b, 0x1D, 'I', n)
		}
		return b
	}
	block := func(s string) []byte { return append(append([]byte{0x5F}, s...), 0) }

	p := newTestPrinter(t, Config{})
	p.Write(ask(1, 49, 2, 50))
	if got := drain(p); !bytes.Equal(got, []byte{modelID, modelID, 0x02, 0x02}) {
		t.Fatalf("model and type IDs % X", got)
	}
	for _, b := range []byte{modelID, 0x02} {
		if b&0x90 != 0 {
			t.Errorf("ID byte %#02x is not shaped 0xx0xxxx", b)
		}
	}
	p.Write(ask(66, 67, 65, 68, 69))
	want := bytes.Join([][]byte{block(DefaultMaker), block(DefaultModel), block(""), block(""), block("")}, nil)
	if got := drain(p); !bytes.Equal(got, want) {
		t.Fatalf("names % X, want % X", got, want)
	}
	p.Write(ask(9, 0x44-0x40, 70))
	if got := drain(p); len(got) != 0 {
		t.Fatalf("unknown GS I n answered % X", got)
	}
	if u := p.Unknown(); len(u) != 3 || !bytes.Equal(u[0].Bytes, []byte{0x1D, 'I', 9}) {
		t.Fatalf("unknown %v", u)
	}

	// Names as configured, cleaned to printable ASCII; a two-byte printer says so in its type ID.
	p = newTestPrinter(t, Config{Maker: "EPSON", Model: "TM-T20III\x00\xffX", KanjiAtReset: true})
	p.Write(ask(66, 67, 2))
	want = bytes.Join([][]byte{block("EPSON"), block("TM-T20IIIX"), {0x03}}, nil)
	if got := drain(p); !bytes.Equal(got, want) {
		t.Fatalf("configured names % X, want % X", got, want)
	}

	// Not a real-time command: a stopped printer answers it once the fault clears.
	p = newTestPrinter(t, Config{})
	p.SetCoverOpen(true)
	p.Write(ask(66))
	if got := drain(p); len(got) != 0 {
		t.Fatalf("a stopped printer answered GS I: % X", got)
	}
	p.SetCoverOpen(false)
	if got := drain(p); !bytes.Equal(got, block(DefaultMaker)) {
		t.Fatalf("GS I after the cover closed % X", got)
	}

	// The clone answers it (it only ignores GS r); a one-way printer answers nothing.
	p = newTestPrinter(t, Config{IgnoreGSr: true})
	p.Write(ask(66))
	if got := drain(p); !bytes.Equal(got, block(DefaultMaker)) {
		t.Fatalf("clone: % X", got)
	}
	p = newTestPrinter(t, Config{OneWay: true})
	p.Write(ask(1, 66))
	if got := drain(p); len(got) != 0 {
		t.Fatalf("one-way printer answered % X", got)
	}
}

// FS ( A function 48 is taken without a mark on the paper; other FS ( functions are skipped whole,
// length field and all, and reported.
func TestFSParen(t *testing.T) {
	j := new(job).init().raw(0x1C, '(', 'A', 2, 0, 48, 1).raw(0x1C, '(', 'A', 2, 0, 48, '0')
	j.raw(0x1C, '(', 'L', 3, 0, 'x', 'y', 'z').raw(0x1C, '(', 'A', 2, 0, 48, 7).line("ok").cut()
	p := newTestPrinter(t, Config{})
	p.Write(j.b)
	rs := p.Receipts()
	if len(rs) != 1 || len(rs[0].Text) != 1 || rs[0].Text[0] != "ok" {
		t.Fatalf("receipts %+v: the skipped commands printed", rs)
	}
	u := p.Unknown()
	if len(u) != 2 || !bytes.HasPrefix(u[0].Bytes, []byte{0x1C, '(', 'L'}) || !bytes.Equal(u[1].Bytes, []byte{0x1C, '(', 'A', 2, 0}) {
		t.Fatalf("unknown %v", u)
	}
}
