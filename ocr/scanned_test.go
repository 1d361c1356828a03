package ocr

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/tramso/tramso/ocr/engine"
)

// TestDropStampText: in the reading of the page as scanned, a word printed in stamp red goes, a
// word in black stays, and so does a black word a stamp's rim crosses; a grey page has no stamp
// text to drop.
func TestDropStampText(t *testing.T) {
	page := image.NewRGBA(image.Rect(0, 0, 300, 100))
	draw.Draw(page, page.Rect, image.White, image.Point{}, draw.Src)
	red := &image.Uniform{color.RGBA{210, 40, 50, 255}}
	black := &image.Uniform{color.RGBA{20, 20, 20, 255}}
	strokes := func(box image.Rectangle, c image.Image) { // letters: vertical strokes, a third of the box
		for x := box.Min.X; x < box.Max.X; x += 6 {
			draw.Draw(page, image.Rect(x, box.Min.Y, x+2, box.Max.Y), c, image.Point{}, draw.Src)
		}
	}
	stamp, text, crossed := image.Rect(10, 10, 90, 40), image.Rect(110, 10, 190, 40), image.Rect(210, 10, 290, 40)
	strokes(stamp, red)
	strokes(text, black)
	strokes(crossed, black)
	draw.Draw(page, image.Rect(210, 24, 290, 27), red, image.Point{}, draw.Src) // the rim across it
	words := []engine.Word{{Text: "CHIẾU", Box: stamp}, {Text: "Đồng", Box: text}, {Text: "ý", Box: crossed}}
	data, rect := engine.ScannedPNM(page, 0)
	kept, n := dropStampText(words, data, rect)
	if n != 1 || len(kept) != 2 || kept[0].Text != "Đồng" || kept[1].Text != "ý" {
		t.Errorf("kept %v, dropped %d; want the red word only dropped", kept, n)
	}
	grey := image.NewGray(page.Rect)
	draw.Draw(grey, grey.Rect, page, image.Point{}, draw.Src)
	data, rect = engine.ScannedPNM(grey, 0)
	if kept, n := dropStampText(words, data, rect); n != 0 || len(kept) != 3 {
		t.Errorf("grey page: kept %d, dropped %d", len(kept), n)
	}
}
