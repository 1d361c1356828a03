package engine

import (
	"fmt"
	"image"
	"image/color"
)

// ScannedPNM encodes a page as scanned for RecognizeScanned, as its decoder gave it (colour stays
// colour), turned by turns quarter turns clockwise (the way ocr/preprocess.Rotate90 turns), as a
// binary PNM: P5 for a grey image, P6 otherwise. It returns the bounds of the turned image.
func ScannedPNM(img image.Image, turns int) ([]byte, image.Rectangle) {
	turns = (turns%4 + 4) % 4
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	ow, oh := W, H
	if turns%2 == 1 {
		ow, oh = H, W
	}
	// src maps a pixel of the turned image to the image's own.
	src := func(x, y int) (int, int) {
		switch turns {
		case 1:
			return y, H - 1 - x
		case 2:
			return W - 1 - x, H - 1 - y
		case 3:
			return W - 1 - y, x
		}
		return x, y
	}
	g, grey := img.(*image.Gray)
	ch, magic := 3, "P6"
	if grey {
		ch, magic = 1, "P5"
	}
	head := fmt.Sprintf("%s\n%d %d\n255\n", magic, ow, oh)
	out := make([]byte, len(head)+ow*oh*ch)
	copy(out, head)
	px := out[len(head):]
	at := rgbAt(img)
	for y := 0; y < oh; y++ {
		row := px[y*ow*ch : (y+1)*ow*ch]
		for x := 0; x < ow; x++ {
			sx, sy := src(x, y)
			if grey {
				row[x] = g.Pix[sy*g.Stride+sx]
				continue
			}
			row[3*x], row[3*x+1], row[3*x+2] = at(b.Min.X+sx, b.Min.Y+sy)
		}
	}
	return out, image.Rect(0, 0, ow, oh)
}

// rgbAt reads 8-bit RGB pixels of img, directly for the decoders' usual types.
func rgbAt(img image.Image) func(x, y int) (uint8, uint8, uint8) {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) (uint8, uint8, uint8) {
			c := m.YCbCrAt(x, y)
			return color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
		}
	case *image.RGBA:
		return func(x, y int) (uint8, uint8, uint8) {
			i := m.PixOffset(x, y)
			return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
		}
	case *image.NRGBA:
		return func(x, y int) (uint8, uint8, uint8) {
			c := m.NRGBAAt(x, y)
			return c.R, c.G, c.B
		}
	}
	return func(x, y int) (uint8, uint8, uint8) {
		r, g, b, _ := img.At(x, y).RGBA()
		return uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)
	}
}
