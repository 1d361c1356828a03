package corpus

import (
	"bytes"
	"context"
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

// ModelEntry is one page of a corpus written by WriteModel.
type ModelEntry struct {
	Image string    `json:"image"`
	Truth string    `json:"truth"`
	Model Model     `json:"model"`
	Seed  uint64    `json:"seed"`
	Index int       `json:"index"`
	DPI   int       `json:"dpi"`
	Scan  *Spec     `json:"scan,omitempty"`
	Copy  *CopySpec `json:"copy,omitempty"`
}

// RenderModel draws page i of seed under model m.
func (g *Generator) RenderModel(ctx context.Context, m Model, seed uint64, i int) (*Page, error) {
	switch m {
	case ModelScan:
		return g.Render(DegradedSpec(seed, i))
	case ModelCopy:
		return g.RenderCopy(ctx, CopySpecFor(seed, i))
	}
	return nil, fmt.Errorf("corpus: model %d", m)
}

// GeneratorVersion changes whenever a page of a given model and seed would come out differently;
// it is part of the file names WriteModel uses, so pages written before can be reused.
const GeneratorVersion = 2

// WriteModel renders perSeed pages of each seed of model m into dir (mV-S-NNN.png|jpg and .txt)
// and returns what it wrote. Pages already in dir under the same names are reused (the generator
// is deterministic), so a cache directory saves rendering them again.
func (g *Generator) WriteModel(ctx context.Context, dir string, m Model, seeds []uint64, perSeed int) ([]ModelEntry, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var entries []ModelEntry
	for _, seed := range seeds {
		for i := 0; i < perSeed; i++ {
			base := fmt.Sprintf("%s%d-%d-%03d", m, GeneratorVersion, seed, i+1)
			if e, ok := written(dir, base, m, seed, i); ok {
				entries = append(entries, e)
				continue
			}
			p, err := g.RenderModel(ctx, m, seed, i)
			if err != nil {
				return nil, fmt.Errorf("model %s seed %d page %d: %w", m, seed, i, err)
			}
			e := ModelEntry{Model: m, Seed: seed, Index: i, DPI: int(p.DPI), Truth: base + ".txt", Copy: p.Copy}
			lossy := p.Copy != nil && p.Copy.JPEG > 0
			if p.Copy == nil {
				s := p.Spec
				e.Scan = &s
				lossy = s.JPEG > 0
			}
			var buf bytes.Buffer
			if lossy {
				e.Image = base + ".jpg"
				err = imagefile.EncodeJPEG(&buf, p.Image, p.DPI, 95)
			} else {
				e.Image = base + ".png"
				err = imagefile.EncodePNG(&buf, p.Image, p.DPI)
			}
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(dir, e.Image), buf.Bytes(), 0o644); err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(dir, e.Truth), []byte(p.Truth+"\n"), 0o644); err != nil {
				return nil, err
			}
			entries = append(entries, e)
		}
	}
	return entries, nil
}

// written finds a page WriteModel wrote before.
func written(dir, base string, m Model, seed uint64, i int) (ModelEntry, bool) {
	e := ModelEntry{Model: m, Seed: seed, Index: i, Truth: base + ".txt"}
	if _, err := os.Stat(filepath.Join(dir, e.Truth)); err != nil {
		return e, false
	}
	for _, ext := range []string{".png", ".jpg"} {
		if _, err := os.Stat(filepath.Join(dir, base+ext)); err == nil {
			e.Image = base + ext
			switch m {
			case ModelScan:
				s := DegradedSpec(seed, i)
				e.Scan, e.DPI = &s, s.DPI
			case ModelCopy:
				s := CopySpecFor(seed, i)
				e.Copy, e.DPI = &s, s.DPI
			}
			return e, true
		}
	}
	return e, false
}
