// Command gencards writes generated ID cards and forms with their ground truth:
//
//	go run ./ocr/cardgen/cmd/gencards -out DIR [-cards 20] [-forms 20] [-heldout] [-clean]
//
// Each card gives SEED-front.(png|jpg), SEED-back.(png|jpg) and SEED-card.json; each form
// SEED-form.(png|jpg), SEED-form.json and labels.json (the --labels file of kioskctl ocr).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/tramso/tramso/ocr/cardgen"
)

func main() {
	out := flag.String("out", "", "thư mục ghi (output directory)")
	cards := flag.Int("cards", 20, "số thẻ (number of cards)")
	forms := flag.Int("forms", 20, "số tờ khai (number of forms)")
	heldOut := flag.Bool("heldout", false, "dùng hạt giống kiểm tra riêng (use held-out seeds)")
	clean := flag.Bool("clean", false, "không làm xấu ảnh (no degradation)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "thiếu -out (missing -out)")
		os.Exit(2)
	}
	if err := run(*out, *cards, *forms, *heldOut, *clean); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir string, nc, nf int, heldOut, clean bool) error {
	g, err := cardgen.NewGenerator()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	seeds := cardgen.TuningSeeds
	if heldOut {
		seeds = cardgen.HeldOutSeeds
	}
	write := func(name string, v any) error {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	for _, s := range seeds.Seeds()[:nc] {
		c := g.Card(s, 300)
		for side, img := range map[string]*image.RGBA{"front": c.Front, "back": c.Back} {
			d := cardgen.Degradation{}
			if !clean {
				d = cardgen.RandomDegradation(rand.New(rand.NewPCG(s, uint64(len(side)))))
			}
			b, err := cardgen.Scan(img, c.DPI, d, s)
			if err != nil {
				return err
			}
			ext := ".png"
			if d.JPEG > 0 {
				ext = ".jpg"
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d-%s%s", s, side, ext)), b, 0o644); err != nil {
				return err
			}
		}
		if err := write(fmt.Sprintf("%d-card.json", s), map[string]any{"layout": c.Layout, "front": c.FrontTruth, "back": c.BackTruth, "mrz": c.MRZTruth}); err != nil {
			return err
		}
	}
	for _, s := range seeds.Seeds()[:nf] {
		f := g.Form(s, 300)
		d := cardgen.Degradation{}
		if !clean {
			d = cardgen.RandomDegradation(rand.New(rand.NewPCG(s, 7)))
		}
		b, err := cardgen.Scan(f.Image, f.DPI, d, s)
		if err != nil {
			return err
		}
		ext := ".png"
		if d.JPEG > 0 {
			ext = ".jpg"
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d-form%s", s, ext)), b, 0o644); err != nil {
			return err
		}
		if err := write(fmt.Sprintf("%d-form.json", s), f.Truth); err != nil {
			return err
		}
	}
	return write("labels.json", cardgen.FormLabels)
}
