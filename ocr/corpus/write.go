package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tramso/tramso/drivers/imagefile"
)

// Entry is one page of a corpus written to disk, as listed in manifest.json.
type Entry struct {
	Image string `json:"image"` // file name of the scan (PNG, or JPEG for JPEG-degraded pages)
	Truth string `json:"truth"` // file name of the ground truth text (UTF-8, NFC)
	Spec  Spec   `json:"spec"`
}

// WriteDir renders n pages into dir: page-NNN.png|jpg with their DPI, page-NNN.txt with the ground
// truth and manifest.json. Page i is degraded (DegradedSpec) unless clean is set.
func (g *Generator) WriteDir(dir string, n int, seed uint64, clean bool) ([]Entry, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var entries []Entry
	for i := 0; i < n; i++ {
		spec := DegradedSpec(seed, i)
		if clean {
			spec = CleanSpec(seed*1000 + uint64(i))
		}
		p, err := g.Render(spec)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i, err)
		}
		base := fmt.Sprintf("page-%03d", i+1)
		var buf bytes.Buffer
		name := base + ".png"
		if spec.JPEG > 0 {
			name = base + ".jpg"
			err = imagefile.EncodeJPEG(&buf, p.Image, p.DPI, 95)
		} else {
			err = imagefile.EncodePNG(&buf, p.Image, p.DPI)
		}
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, base+".txt"), []byte(p.Truth+"\n"), 0o644); err != nil {
			return nil, err
		}
		entries = append(entries, Entry{Image: name, Truth: base + ".txt", Spec: spec})
	}
	m, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return nil, err
	}
	return entries, os.WriteFile(filepath.Join(dir, "manifest.json"), m, 0o644)
}
