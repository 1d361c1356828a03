package corpus

// Model is a degradation model: a way of making pages and spoiling them. The two models share no
// code path for drawing text or for noise, so a pipeline tuned on one is measured on the other.
type Model int

// The degradation models.
const (
	// ModelScan: pages drawn by our own Go text renderer (x/image/font), degraded like a flatbed
	// scan at a kiosk (skew, 150–300 dpi, blur, mild noise, lid shadows, red stamps, JPEG 55–80).
	ModelScan Model = 1
	// ModelCopy: pages laid out and rasterised by Pango/Cairo (pango-view, hinted FreeType glyphs),
	// other documents (decisions, declarations with tick boxes, ruled lists), degraded like
	// repeated photocopies and faxes (copy generations, heavy speckle, Gaussian noise σ 20–28,
	// 150/200 dpi, JPEG 35–50, folds, stains, stamps over text, dithering, slight perspective).
	ModelCopy Model = 2
)

// String names the model.
func (m Model) String() string {
	switch m {
	case ModelScan:
		return "scan"
	case ModelCopy:
		return "copy"
	}
	return "unknown"
}

// TuningSeeds are the seeds of model m that thresholds and heuristics may be tuned on (tests and
// experiments use them). Nothing may be tuned on HeldOutSeeds.
func TuningSeeds(m Model) []uint64 {
	switch m {
	case ModelScan:
		return []uint64{1, 2, 3, 7}
	case ModelCopy:
		return []uint64{1, 2, 3, 4, 5, 6}
	}
	return nil
}

// HeldOutSeeds are the seeds of model m that `make bench-ocr` reports on: never used to choose a
// threshold, never looked at while tuning.
func HeldOutSeeds(m Model) []uint64 {
	switch m {
	case ModelScan:
		return []uint64{21, 22}
	case ModelCopy:
		return []uint64{31, 32}
	}
	return nil
}

// IsHeldOut reports whether seed is one of model m's held-out seeds.
func IsHeldOut(m Model, seed uint64) bool {
	for _, s := range HeldOutSeeds(m) {
		if s == seed {
			return true
		}
	}
	return false
}
