//go:build !nosim

package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/drivers/serial"
)

// citizenWithFace writes the test citizen with a generated face photo of about size bytes.
func citizenWithFace(tb testing.TB, size int) string {
	tb.Helper()
	dir := tb.TempDir()
	b, err := os.ReadFile(citizenFile)
	if err != nil {
		tb.Fatal(err)
	}
	var c cccd.Citizen
	json.Unmarshal(b, &c)
	rng := rand.New(rand.NewPCG(1, 2))
	img := image.NewRGBA(image.Rect(0, 0, 240, 320))
	for y := 0; y < 320; y++ {
		for x := 0; x < 240; x++ {
			v := uint8(120 + x/4 + rng.IntN(24))
			img.Set(x, y, color.RGBA{v, v - 10, v - 20, 255})
		}
	}
	var photo []byte
	for q := 95; q >= 10; q-- {
		f, _ := os.CreateTemp(dir, "face")
		jpeg.Encode(f, img, &jpeg.Options{Quality: q})
		f.Close()
		photo, _ = os.ReadFile(f.Name())
		if len(photo) <= size {
			break
		}
	}
	os.WriteFile(filepath.Join(dir, "face.jpg"), photo, 0o644)
	c.Photo = "face.jpg"
	out, _ := json.Marshal(c)
	p := filepath.Join(dir, "citizen.json")
	os.WriteFile(p, out, 0o644)
	return p
}

// recorder passes APDUs through and keeps their sizes, to build the physical minimum from.
type recorder struct {
	tr   apdu.Transceiver
	apdu [][2]int
}

func (r *recorder) Transmit(ctx context.Context, cmd []byte) ([]byte, error) {
	resp, err := r.tr.Transmit(ctx, cmd)
	r.apdu = append(r.apdu, [2]int{len(cmd), len(resp)})
	return resp, err
}

// link is a serial line speed and an RF bit rate.
type link struct {
	baud int
	rate byte // InPSL code
}

// frame is the wire size of a PN532 information frame carrying n bytes after the TFI.
func frame(n int) int {
	if n+1 > pn532.MaxNormalLen {
		return n + 1 + 9 // extended frame
	}
	return n + 1 + 6
}

// exchange is the physical minimum of one InDataExchange carrying a command APDU of cmd bytes
// and a response of resp bytes: the command frame (code, Tg), the PN532's ACK and the response
// frame (code, status) on the serial line, and one ISO/IEC 14443-4 exchange on the air.
func (l link) exchange(cmd, resp int) time.Duration {
	line := frame(2+cmd) + len(pn532.ACKFrame) + frame(2+resp)
	return pn532sim.LineTime(line, l.baud) + pn532sim.RFTime(cmd, resp, l.rate)
}

// command is the physical minimum of a PN532 command without RF: frame, ACK, answer frame.
func (l link) command(cmd, resp int) time.Duration {
	return pn532sim.LineTime(frame(cmd)+len(pn532.ACKFrame)+frame(resp), l.baud)
}

// minimum is the least communication time the read needs at a speed: the card's activation
// (InListPassiveTarget), the PPS to the RF rate (InPSL), the authentication exchanges as the
// protocol has them, Chip Authentication (MSE:Set AT, GENERAL AUTHENTICATE and the SELECT that
// proves the new keys), and per file one SELECT and ⌈size/Le⌉ READ BINARY of the largest Le the
// frames allow (0xDF), then Active Authentication.
type minimum struct {
	activation [2]int   // InListPassiveTarget command and answer data
	auth       [][2]int // EF.CardAccess, PACE and SELECT of the application
	ca         [][2]int // Chip Authentication
	sel        [2]int   // SELECT of a file
	read       [2]int   // a full READ BINARY (Le 0xDF) under secure messaging
	aa         [2]int   // INTERNAL AUTHENTICATE
	uid, ats   int
}

func (m minimum) time(l link, files [][]byte, aa bool) time.Duration {
	act, _ := pn532sim.Activation(false, m.uid, m.ats)
	t := m.commandAndRF(l, act)
	if l.rate != pn532.Rate106 {
		pps, _ := pn532sim.PPS(pn532.Rate106)
		t += l.command(4, 2) + pps
	}
	for _, a := range append(m.auth, m.ca...) {
		t += l.exchange(a[0], a[1])
	}
	for _, f := range files {
		t += l.exchange(m.sel[0], m.sel[1])
		for off := 0; off < len(f); off += mrtd.DefaultMaxLe {
			n := min(mrtd.DefaultMaxLe, len(f)-off)
			t += l.exchange(m.read[0], m.read[1]-mrtd.DefaultMaxLe+n)
		}
	}
	if aa {
		t += l.exchange(m.aa[0], m.aa[1])
	}
	return t
}

func (m minimum) commandAndRF(l link, rf time.Duration) time.Duration {
	return l.command(m.activation[0], m.activation[1]) + rf
}

// BenchmarkCardRead reads a whole CCCD (EF.COM, EF.SOD, DG14 and Chip Authentication, DG1 and
// DG13, the identity shown, then DG2 with a ~20 KB face, DG15 and Active Authentication) through
// the PN532 driver and
// the simulated PN532 over a pty, with the simulator's line and RF timing on, at each serial
// speed and RF bit rate. The driver opens at 115200 baud and raises the line (max=) and the RF
// rate (rf=) itself. Per read it reports:
//
//   - ms-identity, ms-verified: wall time from the card's activation to the identity shown
//     (OnIdentity) and to the verified result, the host's and the simulated chip's processing
//     included (not a real chip's: PACE and signatures on a real chip come on top);
//   - comm-ms-identity, comm-ms-verified: the modelled line and RF time up to those points;
//   - min-ms-identity, min-ms-verified: the physical minimum from the bytes and rates;
//   - ratio-identity, ratio-verified: modelled over minimum;
//   - apdus-identity, apdus, line-bytes-identity, line-bytes, rf-bytes.
func BenchmarkCardRead(b *testing.B) {
	citizen := citizenWithFace(b, 20480)
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		b.Fatal(err)
	}
	for _, baud := range []int{115200, 460800, 921600} {
		for _, rf := range []int{106, 424} {
			b.Run(fmt.Sprintf("baud=%d/rf=%d", baud, rf), func(b *testing.B) {
				benchCardRead(b, citizen, pki, baud, rf)
			})
		}
	}
}

func benchCardRead(b *testing.B, citizen string, pki *cccd.TestPKI, baud, rf int) {
	sc, err := NewSimCard(citizen, pki, SimOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	path := filepath.Join(b.TempDir(), "nfc")
	sim, err := pn532sim.Serve(ctx, path, pn532sim.Config{Card: sc.Chip, LineTiming: true})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	// As kioskd would open it ("pn532:PATH?baud=115200&max=BAUD&rf=RF"), with a generous ACK
	// timeout: on a loaded machine a late ACK would make the driver send an APDU again.
	dev, err := pn532.OpenHSU(ctx, path, serial.Config{Baud: 115200},
		&pn532.Options{MaxBaud: baud, MaxBitRate: rf, NoHighSpeed: rf == 106, ACKTimeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer dev.Close()
	if dev.Baud() != baud || sim.Baud() != baud {
		b.Fatalf("line at %d baud (reader %d), want %d", dev.Baud(), sim.Baud(), baud)
	}
	card := func() *pn532.Card {
		c, err := dev.WaitForCard(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if c.BitRate() != rf {
			b.Fatalf("RF at %d kbps, want %d", c.BitRate(), rf)
		}
		return c
	}
	key, _ := KeyFromCAN(sc.CAN)
	akey := mrtd.AccessKey{CAN: key.CAN}

	f, err := mrtd.Read(ctx, card(), akey, mrtd.Options{})
	if err != nil {
		b.Fatal(err)
	}
	// The sizes the minimum is built from: authentication, Chip Authentication, one SELECT, one
	// full READ BINARY and INTERNAL AUTHENTICATE, recorded on the real exchange.
	c := card()
	m := minimum{activation: [2]int{3, 3 + 4 + 1 + 1 + len(c.UID) + len(c.ATS)}, uid: len(c.UID), ats: len(c.ATS)}
	rec := &recorder{tr: c}
	sess, err := mrtd.Open(ctx, rec, akey, mrtd.Options{})
	if err != nil {
		b.Fatal(err)
	}
	m.auth = rec.apdu
	rec.apdu = nil
	if _, err := sess.ChipAuthenticate(ctx, f.DG14); err != nil {
		b.Fatal(err)
	}
	m.ca = rec.apdu
	rec.apdu = nil
	if err := sess.SelectFile(ctx, mrtd.DG2); err != nil {
		b.Fatal(err)
	}
	if _, err := sess.Transmit(ctx, apdu.Command{INS: 0xB0, Ne: mrtd.DefaultMaxLe}, "READ BINARY"); err != nil {
		b.Fatal(err)
	}
	if _, err := sess.InternalAuthenticate(ctx, make([]byte, 8)); err != nil {
		b.Fatal(err)
	}
	m.sel, m.read, m.aa = rec.apdu[0], rec.apdu[1], rec.apdu[2]
	l := link{baud: baud, rate: pn532.Rate106}
	if rf == 424 {
		l.rate = pn532.Rate424
	}
	first := [][]byte{f.COM, f.SOD, f.DG14, f.DG1, f.DG13}
	minID := m.time(l, first, false)
	minAll := m.time(l, append(first, f.DG2, f.DG15), true)

	comm := func(t pn532sim.Timing) time.Duration { return t.Line + t.RF }
	var wallID, wallAll, commID, commAll time.Duration
	var apdusID, apdus, lineBytesID, lineBytes, rfBytes int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0, tm0, st0 := time.Now(), sim.Timing(), dev.Stats()
		var tID time.Time
		var tmID pn532sim.Timing
		var stID pn532.Stats
		res, err := Read(ctx, card(), key, Options{Trust: pki.TrustStore(), OnIdentity: func(Preview) {
			tID, tmID, stID = time.Now(), sim.Timing(), dev.Stats()
		}})
		t1, tm1, st1 := time.Now(), sim.Timing(), dev.Stats()
		if err != nil {
			b.Fatal(err)
		}
		if !res.Genuine() || tID.IsZero() {
			b.Fatalf("PA %s chip %s, identity shown %v", res.PassiveAuth, res.ChipAuth, !tID.IsZero())
		}
		if tm1.Garbled != tm0.Garbled {
			b.Fatalf("%d bytes lost to a speed mismatch", tm1.Garbled-tm0.Garbled)
		}
		wallID += tID.Sub(t0)
		wallAll += t1.Sub(t0)
		commID += comm(tmID) - comm(tm0)
		commAll += comm(tm1) - comm(tm0)
		apdusID += stID.APDUs - st0.APDUs
		apdus += st1.APDUs - st0.APDUs
		lineBytesID += tmID.LineBytes - tm0.LineBytes
		lineBytes += tm1.LineBytes - tm0.LineBytes
		rfBytes += tm1.RFBytes - tm0.RFBytes
	}
	b.StopTimer()
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / n }
	b.ReportMetric(ms(wallID), "ms-identity")
	b.ReportMetric(ms(wallAll), "ms-verified")
	b.ReportMetric(ms(commID), "comm-ms-identity")
	b.ReportMetric(ms(commAll), "comm-ms-verified")
	b.ReportMetric(float64(minID)/float64(time.Millisecond), "min-ms-identity")
	b.ReportMetric(float64(minAll)/float64(time.Millisecond), "min-ms-verified")
	b.ReportMetric(float64(commID)/n/float64(minID), "ratio-identity")
	b.ReportMetric(float64(commAll)/n/float64(minAll), "ratio-verified")
	b.ReportMetric(float64(apdusID)/n, "apdus-identity")
	b.ReportMetric(float64(apdus)/n, "apdus")
	b.ReportMetric(float64(lineBytesID)/n, "line-bytes-identity")
	b.ReportMetric(float64(lineBytes)/n, "line-bytes")
	b.ReportMetric(float64(rfBytes)/n, "rf-bytes")
	b.ReportMetric(0, "ns/op") // the wall times above say more than one number for the loop
}
