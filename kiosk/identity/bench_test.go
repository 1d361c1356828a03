package identity

import (
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/pn532"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
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

// BenchmarkFullRead reads a whole CCCD (EF.COM, DG1, DG13, DG14, DG15, DG2 with a ~20 KB face,
// EF.SOD, Active Authentication) through the PN532 driver and the simulated PN532 over a
// pseudo-terminal, and reports APDUs, bytes on the serial line and the line time at 115200 baud
// against the minimum that the largest allowed Le (0xDF) implies: the same authentication, then
// per file one SELECT and ceil(size/Le) full-Le READ BINARY commands.
func BenchmarkFullRead(b *testing.B) {
	citizen := citizenWithFace(b, 20480)
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		b.Fatal(err)
	}
	sc, err := NewSimCard(citizen, pki, SimOptions{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	link := filepath.Join(b.TempDir(), "nfc")
	sim, err := pn532sim.Serve(ctx, link, pn532sim.Options{Card: sc.Chip})
	if err != nil {
		b.Fatal(err)
	}
	defer sim.Close()
	dev, err := pn532.Open(ctx, "pn532:"+link)
	if err != nil {
		b.Fatal(err)
	}
	defer dev.Close()
	card := func() apdu.Transceiver {
		c, err := dev.WaitForCard(ctx)
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	key, _ := KeyFromCAN(sc.CAN)
	akey := mrtd.AccessKey{CAN: key.CAN}

	// The minimum: measure authentication, one SELECT and one full-Le READ BINARY on the line.
	s0 := dev.Stats()
	sess, err := mrtd.Open(ctx, card(), akey, mrtd.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s1 := dev.Stats()
	if err := sess.SelectFile(ctx, mrtd.DG2); err != nil {
		b.Fatal(err)
	}
	s2 := dev.Stats()
	if _, err := sess.Transmit(ctx, apdu.Command{INS: 0xB0, Ne: mrtd.DefaultMaxLe}, "READ BINARY"); err != nil {
		b.Fatal(err)
	}
	s3 := dev.Stats()
	line := func(s pn532.Stats) int64 { return s.BytesSent + s.BytesReceived }
	authBytes, authAPDUs := line(s1)-line(s0), s1.APDUs-s0.APDUs
	selBytes := line(s2) - line(s1)
	readOverhead := line(s3) - line(s2) - mrtd.DefaultMaxLe

	var res *Result
	var before, after pn532.Stats
	for i := 0; i < b.N; i++ {
		tr := card()
		before = dev.Stats()
		res, err = Read(ctx, tr, key, Options{Trust: pki.TrustStore()})
		if err != nil {
			b.Fatal(err)
		}
		after = dev.Stats()
	}
	b.StopTimer()
	f, err := mrtd.Read(ctx, card(), akey, mrtd.Options{})
	if err != nil {
		b.Fatal(err)
	}
	minAPDUs, minBytes := authAPDUs+1, authBytes+(line(s3)-line(s2)) // + INTERNAL AUTHENTICATE, approximated by one read
	for _, data := range [][]byte{f.COM, f.DG1, f.DG13, f.DG14, f.DG15, f.DG2, f.SOD} {
		reads := (len(data) + mrtd.DefaultMaxLe - 1) / mrtd.DefaultMaxLe
		minAPDUs += 1 + int64(reads)
		minBytes += selBytes + int64(reads)*readOverhead + int64(len(data))
	}
	apdus, bytes := after.APDUs-before.APDUs, line(after)-line(before)
	lineTime := func(n int64) float64 { return float64(n*10) / 115200 }
	b.ReportMetric(float64(len(f.DG2)), "dg2-bytes")
	b.ReportMetric(float64(apdus), "apdus")
	b.ReportMetric(float64(minAPDUs), "min-apdus")
	b.ReportMetric(float64(bytes), "line-bytes")
	b.ReportMetric(float64(minBytes), "min-line-bytes")
	b.ReportMetric(float64(bytes)/float64(minBytes), "ratio")
	b.ReportMetric(lineTime(bytes), "s@115200")
	b.ReportMetric(lineTime(minBytes), "min-s@115200")
	if res.PassiveAuth != "valid" {
		b.Fatalf("passive authentication %s", res.PassiveAuth)
	}
}
