package preprocess

import "image"

// uprightScore tells an upright page from one upside down, from a level binary page (ink 0): in
// Latin script, and more so in Vietnamese with its tone marks, a text line carries more ink above
// its x-height band (ascenders, capitals, accents) than below its baseline (descenders, dots
// below). The score is (above − below) / (above + below) over all text lines: positive when the
// page is upright, negative when it is upside down, near 0 when there is too little text to tell.
func uprightScore(b *image.Gray) float64 {
	W, H := b.Rect.Dx(), b.Rect.Dy()
	rows := make([]int, H)
	for y := 0; y < H; y++ {
		n := 0
		for _, v := range b.Pix[y*b.Stride : y*b.Stride+W] {
			if v < 128 {
				n++
			}
		}
		rows[y] = n
	}
	// Rows with a few stray pixels (specks, a ruling's stub) still separate lines.
	floor := max(2, W/200)
	for y := range rows {
		if rows[y] <= floor {
			rows[y] = 0
		}
	}
	var above, below int
	for y := 0; y < H; {
		if rows[y] == 0 {
			y++
			continue
		}
		start := y
		peak := 0
		for y < H && rows[y] > 0 {
			peak = max(peak, rows[y])
			y++
		}
		end := y // the line is rows[start:end]
		if end-start < 5 {
			continue // rules, dots, specks
		}
		top, bot := -1, -1
		for i := start; i < end; i++ {
			if 2*rows[i] >= peak {
				if top < 0 {
					top = i
				}
				bot = i
			}
		}
		if bot-top < 2 {
			continue // a rule or an underline dominates the profile
		}
		for i := start; i < top; i++ {
			above += rows[i]
		}
		for i := bot + 1; i < end; i++ {
			below += rows[i]
		}
	}
	if above+below < 200 {
		return 0
	}
	return float64(above-below) / float64(above+below)
}
