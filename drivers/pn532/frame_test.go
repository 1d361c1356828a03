package pn532

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Test vectors from idcard.md §6.1.
var frameVectors = []struct {
	name string
	tfi  byte
	data string
	wire string
}{
	{"GetFirmwareVersion", TFIHost, "02", "00 00 FF 02 FE D4 02 2A 00"},
	{"firmware response", TFIReader, "03 32 01 06 07", "00 00 FF 06 FA D5 03 32 01 06 07 E8 00"},
	{"SAMConfiguration", TFIHost, "14 01", "00 00 FF 03 FD D4 14 01 17 00"},
	{"SAMConfiguration IRQ", TFIHost, "14 01 14 01", "00 00 FF 05 FB D4 14 01 14 01 02 00"},
	{"InListPassiveTarget", TFIHost, "4A 01 00", "00 00 FF 04 FC D4 4A 01 00 E1 00"},
	{"InDataExchange SELECT", TFIHost, "40 01 00 A4 04 0C 07 A0 00 00 02 47 10 01",
		"00 00 FF 0F F1 D4 40 01 00 A4 04 0C 07 A0 00 00 02 47 10 01 36 00"},
}

func TestFrameVectors(t *testing.T) {
	for _, v := range frameVectors {
		data := unhex(t, v.data)
		wire := unhex(t, v.wire)
		got, err := AppendFrame(nil, v.tfi, data)
		if err != nil || !bytes.Equal(got, wire) {
			t.Errorf("%s: AppendFrame = % X, %v; want % X", v.name, got, err, wire)
		}
		f, n, err := DecodeFrame(wire)
		if err != nil || n != len(wire) || f.Type != FrameInfo || f.TFI != v.tfi || !bytes.Equal(f.Data, data) {
			t.Errorf("%s: DecodeFrame = %+v, %d, %v", v.name, f, n, err)
		}
	}
}

func TestDecodeFixedFrames(t *testing.T) {
	for _, c := range []struct {
		wire string
		typ  FrameType
	}{{ACKFrame, FrameACK}, {NACKFrame, FrameNACK}, {ErrorFrame, FrameError}} {
		f, n, err := DecodeFrame([]byte(c.wire))
		if err != nil || f.Type != c.typ || n != len(c.wire) {
			t.Errorf("% X: got %v %d %v, want %v", c.wire, f.Type, n, err, c.typ)
		}
	}
}

func TestExtendedFrame(t *testing.T) {
	data := make([]byte, MaxFrameLen-1)
	for i := range data {
		data[i] = byte(i * 7)
	}
	wire, err := AppendFrame(nil, TFIReader, data)
	if err != nil {
		t.Fatal(err)
	}
	// 00 00 FF FF FF 01 09 F6: LEN 265, (01+09+F6)&FF == 0.
	if want := unhex(t, "00 00 FF FF FF 01 09 F6 D5"); !bytes.Equal(wire[:9], want) {
		t.Fatalf("header % X, want % X", wire[:9], want)
	}
	f, n, err := DecodeFrame(wire)
	if err != nil || n != len(wire) || !bytes.Equal(f.Data, data) {
		t.Fatalf("DecodeFrame: %d %v", n, err)
	}
	if _, err := AppendFrame(nil, TFIHost, make([]byte, MaxFrameLen)); !errors.Is(err, ErrFrameLength) {
		t.Fatalf("266-byte frame: %v", err)
	}
	// An extended header announcing more than the PN532 can hold is rejected, not waited for.
	if _, _, err := DecodeFrame(unhex(t, "00 00 FF FF FF 01 0A F5 D5")); !errors.Is(err, ErrFrameLength) {
		t.Fatalf("LEN 266: %v", err)
	}
}

func TestDecodeResync(t *testing.T) {
	good := unhex(t, "00 00 FF 06 FA D5 03 32 01 06 07 E8 00")
	bad := append([]byte(nil), good...)
	bad[11] ^= 1 // break the DCS
	// Noise, a header with a bad LCS, a frame with a bad DCS, a good frame.
	in := append(unhex(t, "55 55 13 37 00 FF 07"), bad...)
	in = append(in, good...)

	var got []error
	var frames []Frame
	for len(in) > 0 {
		f, n, err := DecodeFrame(in)
		if errors.Is(err, ErrIncomplete) {
			break
		}
		if n <= 0 {
			t.Fatalf("no progress at % X", in)
		}
		in = in[n:]
		if err != nil {
			got = append(got, err)
			continue
		}
		frames = append(frames, f)
	}
	if len(frames) != 1 || !bytes.Equal(frames[0].Data, good[6:11]) {
		t.Fatalf("frames %+v", frames)
	}
	if len(got) != 2 || !errors.Is(got[0], ErrChecksum) || !errors.Is(got[1], ErrChecksum) {
		t.Fatalf("errors %v", got)
	}
}

func TestDecodeIncomplete(t *testing.T) {
	wire := unhex(t, "00 00 FF 06 FA D5 03 32 01 06 07 E8 00")
	for i := 0; i < len(wire)-1; i++ {
		_, _, err := DecodeFrame(wire[:i])
		if !errors.Is(err, ErrIncomplete) {
			t.Fatalf("prefix %d: %v", i, err)
		}
	}
	// Noise with no start code can be dropped, except a trailing 00.
	if _, n, err := DecodeFrame([]byte{1, 2, 3, 0}); n != 3 || !errors.Is(err, ErrIncomplete) {
		t.Fatalf("noise: %d %v", n, err)
	}
}

func TestDecoderStream(t *testing.T) {
	var stream []byte
	var want [][]byte
	for i := 0; i < 20; i++ {
		data := bytes.Repeat([]byte{byte(i)}, i*13%270)
		data = append([]byte{0x41}, data...)
		if len(data) > MaxFrameLen-1 {
			data = data[:MaxFrameLen-1]
		}
		w, err := AppendFrame(nil, TFIReader, data)
		if err != nil {
			t.Fatal(err)
		}
		stream = append(stream, 0x55, 0xAA) // noise between frames
		stream = append(stream, w...)
		want = append(want, data)
	}
	for _, chunk := range []int{1, 3, 64, 1000} {
		var d Decoder
		var got [][]byte
		in := stream
		for len(in) > 0 {
			k := d.Feed(in[:min(chunk, len(in))])
			in = in[k:]
			for {
				f, err := d.Next()
				if errors.Is(err, ErrIncomplete) {
					break
				}
				if err != nil {
					t.Fatalf("chunk %d: %v", chunk, err)
				}
				got = append(got, f.Data)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d frames, want %d", chunk, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("chunk %d frame %d differs", chunk, i)
			}
		}
	}
}

func TestDecoderBounded(t *testing.T) {
	var d Decoder
	// A header announcing 265 bytes that never come, then endless noise.
	d.Feed(unhex(t, "00 00 FF FF FF 01 09 F6"))
	noise := bytes.Repeat([]byte{0x00, 0xFF, 0x11}, 10000)
	for len(noise) > 0 {
		k := d.Feed(noise)
		noise = noise[k:]
		for {
			_, err := d.Next()
			if errors.Is(err, ErrIncomplete) {
				break
			}
		}
		if d.Buffered() > decoderSize {
			t.Fatalf("decoder holds %d bytes", d.Buffered())
		}
	}
}

// FuzzFrameDecoder feeds arbitrary bytes to DecodeFrame and to the streaming Decoder: no
// panic, progress on every call, bounded memory, and every frame found re-encodes to bytes
// that decode to the same frame.
func FuzzFrameDecoder(f *testing.F) {
	for _, v := range frameVectors {
		f.Add(unhex(f, v.wire))
	}
	f.Add([]byte(ACKFrame + NACKFrame + ErrorFrame))
	f.Add(unhex(f, "55 55 00 00 00 00 00 FF FF FF 01 09 F6 D5 00"))
	f.Add(unhex(f, "00 FF 00 FF 00 FF FF 00 00 FF 01 FF 7F 81"))
	f.Fuzz(func(t *testing.T, in []byte) {
		b := in
		for len(b) > 0 {
			fr, n, err := DecodeFrame(b)
			if n < 0 || n > len(b) {
				t.Fatalf("n = %d of %d", n, len(b))
			}
			if err == nil {
				checkRoundTrip(t, fr)
			}
			if n == 0 {
				if !errors.Is(err, ErrIncomplete) {
					t.Fatalf("no progress with %v", err)
				}
				break
			}
			b = b[n:]
		}
		var d Decoder
		for b := in; len(b) > 0; {
			k := d.Feed(b)
			b = b[k:]
			for {
				fr, err := d.Next()
				if errors.Is(err, ErrIncomplete) {
					break
				}
				if err == nil {
					checkRoundTrip(t, fr)
				}
			}
			if d.Buffered() > decoderSize {
				t.Fatalf("decoder holds %d bytes", d.Buffered())
			}
		}
	})
}

func checkRoundTrip(t *testing.T, fr Frame) {
	t.Helper()
	var wire []byte
	switch fr.Type {
	case FrameACK:
		wire = []byte(ACKFrame)
	case FrameNACK:
		wire = []byte(NACKFrame)
	case FrameError:
		wire = []byte(ErrorFrame)
	default:
		var err error
		wire, err = AppendFrame(nil, fr.TFI, fr.Data)
		if err != nil {
			t.Fatalf("decoded frame does not encode: %v", err)
		}
	}
	g, n, err := DecodeFrame(wire)
	if err != nil || n != len(wire) || g.Type != fr.Type || g.TFI != fr.TFI || !bytes.Equal(g.Data, fr.Data) {
		t.Fatalf("round trip of %+v: %+v %d %v", fr, g, n, err)
	}
}
