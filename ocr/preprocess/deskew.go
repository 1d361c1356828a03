package preprocess

import (
	"image"
	"math"
)

// inkPoints returns the coordinates of ink pixels of a binary image, at most limit of them, taken at
// an even stride.
func inkPoints(b *image.Gray, limit int) [][2]float32 {
	W, H := b.Rect.Dx(), b.Rect.Dy()
	n := 0
	for y := 0; y < H; y++ {
		for _, v := range b.Pix[y*b.Stride : y*b.Stride+W] {
			if v == 0 {
				n++
			}
		}
	}
	step := 1
	if n > limit {
		step = (n + limit - 1) / limit
	}
	pts := make([][2]float32, 0, n/step+1)
	i := 0
	for y := 0; y < H; y++ {
		row := b.Pix[y*b.Stride:]
		for x := 0; x < W; x++ {
			if row[x] == 0 {
				if i%step == 0 {
					pts = append(pts, [2]float32{float32(x), float32(y)})
				}
				i++
			}
		}
	}
	return pts
}

// profileScore is the sum of squared counts of the projection of pts onto lines at deg degrees
// (counter-clockwise skew): it peaks when the bins align with text lines.
func profileScore(pts [][2]float32, deg float64, hist []int32, diag float64) float64 {
	s, c := math.Sincos(deg * math.Pi / 180)
	for i := range hist {
		hist[i] = 0
	}
	fs, fc := float32(s), float32(c)
	off := float32(diag)
	for _, p := range pts {
		r := int(p[1]*fc + p[0]*fs + off)
		if r >= 0 && r < len(hist) {
			hist[r]++
		}
	}
	var sum float64
	for _, v := range hist {
		sum += float64(v) * float64(v)
	}
	return sum
}

// EstimateSkew finds the skew of the text lines of a binary page, in degrees counter-clockwise,
// within ±maxDeg: a coarse projection-profile search in 0.5° steps, then refinement in 0.05° steps
// around the best, then a parabolic fit through the best three. It returns the angle and a
// confidence, the ratio of the best score to the mean score (≈1 when there are no text lines).
func EstimateSkew(b *image.Gray, maxDeg float64) (deg, conf float64) {
	pts := inkPoints(b, 150_000)
	if len(pts) < 200 {
		return 0, 0
	}
	W, H := b.Rect.Dx(), b.Rect.Dy()
	diag := math.Hypot(float64(W), float64(H))
	hist := make([]int32, int(2*diag)+2)
	best, bestScore, total, n := 0.0, -1.0, 0.0, 0
	for a := -maxDeg; a <= maxDeg+1e-9; a += 0.5 {
		sc := profileScore(pts, a, hist, diag)
		total += sc
		n++
		if sc > bestScore {
			best, bestScore = a, sc
		}
	}
	mean := total / float64(n)
	var scores [25]float64
	fine := best
	fineScore := -1.0
	fi := 0
	for i := range scores {
		a := best - 0.6 + 0.05*float64(i)
		scores[i] = profileScore(pts, a, hist, diag)
		if scores[i] > fineScore {
			fine, fineScore, fi = a, scores[i], i
		}
	}
	if fi > 0 && fi < len(scores)-1 {
		l, c, r := scores[fi-1], scores[fi], scores[fi+1]
		if d := l - 2*c + r; d < 0 {
			fine += 0.05 * 0.5 * (l - r) / d
		}
	}
	if mean <= 0 {
		return fine, 0
	}
	return fine, fineScore / mean
}

// lineScore compares the row projection with the column projection of a binary page: > 1 when
// text lines run horizontally, < 1 when the page lies sideways.
func lineScore(b *image.Gray) float64 {
	pts := inkPoints(b, 150_000)
	if len(pts) < 200 {
		return 1
	}
	W, H := b.Rect.Dx(), b.Rect.Dy()
	rows := make([]float64, H)
	cols := make([]float64, W)
	for _, p := range pts {
		rows[int(p[1])]++
		cols[int(p[0])]++
	}
	cv := func(h []float64) float64 {
		// coefficient of variation of the profile over its inked extent
		lo, hi := 0, len(h)-1
		for lo < hi && h[lo] == 0 {
			lo++
		}
		for hi > lo && h[hi] == 0 {
			hi--
		}
		var s, s2 float64
		n := float64(hi - lo + 1)
		for _, v := range h[lo : hi+1] {
			s += v
			s2 += v * v
		}
		m := s / n
		return math.Sqrt(math.Max(0, s2/n-m*m)) / math.Max(m, 1e-9)
	}
	return cv(rows) / math.Max(cv(cols), 1e-9)
}
