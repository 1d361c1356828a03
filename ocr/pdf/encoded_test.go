package pdf

import (
	"bytes"
	"image"
	"image/jpeg"
	"testing"
	"time"
)

// A page given already encoded (Page.Encoded) is written exactly as the same page given as pixels.
func TestEncodedPagesWrittenAsIs(t *testing.T) {
	bits := testBitmap(640, 480)
	photo := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range photo.Pix {
		photo.Pix[i] = uint8(i * 7)
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, photo, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	info := Info{Title: "t", Created: time.Unix(0, 0)}
	words := []Word{{Text: "Giấy", Box: image.Rect(10, 10, 60, 30)}}
	var a, b bytes.Buffer
	if err := Write(&a, []Page{{Image: bits, Encoding: G4, DPI: 300, Words: words}, {Image: photo, Encoding: JPEG, DPI: 300}}, info); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, []Page{{Image: bits.Bounds(), Encoded: EncodeG4(bits), Encoding: G4, DPI: 300, Words: words},
		{Image: photo.Bounds(), Encoded: jb.Bytes(), Encoding: JPEG, DPI: 300}}, info); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the pre-encoded pages give another PDF")
	}
	// Refused: a JPEG of another size, an encoding that cannot be given encoded.
	if err := Write(&b, []Page{{Image: image.Rect(0, 0, 10, 10), Encoded: jb.Bytes(), Encoding: JPEG, DPI: 300}}, info); err == nil {
		t.Error("a JPEG of the wrong size was written")
	}
	if err := Write(&b, []Page{{Image: bits.Bounds(), Encoded: []byte{1}, Encoding: FlateBits, DPI: 300}}, info); err == nil {
		t.Error("pre-encoded FlateBits was written")
	}
}
