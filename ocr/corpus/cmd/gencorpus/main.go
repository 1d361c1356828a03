// Command gencorpus writes a corpus of synthetic scanned Vietnamese administrative pages with their
// ground truth text, for OCR tests and the OCR benchmark.
//
//	go run ./ocr/corpus/cmd/gencorpus -out DIR -n N [-seed S] [-clean]
//	go run ./ocr/corpus/cmd/gencorpus -out DIR -n N -model copy [-seed S]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/tramso/tramso/ocr/corpus"
)

func main() {
	out := flag.String("out", "", "thư mục đích (output directory)")
	n := flag.Int("n", 10, "số trang (number of pages)")
	seed := flag.Uint64("seed", 1, "hạt giống ngẫu nhiên (random seed)")
	clean := flag.Bool("clean", false, "trang sạch 300 dpi, không suy giảm (clean straight 300 dpi pages)")
	model := flag.String("model", "", "mô hình suy giảm scan|copy (degradation model; default: the -clean/-degraded scan pages)")
	flag.Parse()
	if *out == "" || *n <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	g, err := corpus.NewGenerator()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lỗi (error):", err)
		os.Exit(1)
	}
	var count int
	switch *model {
	case "":
		var entries []corpus.Entry
		entries, err = g.WriteDir(*out, *n, *seed, *clean)
		count = len(entries)
	case "scan", "copy":
		m := corpus.ModelScan
		if *model == "copy" {
			m = corpus.ModelCopy
		}
		var entries []corpus.ModelEntry
		entries, err = g.WriteModel(context.Background(), *out, m, []uint64{*seed}, *n)
		count = len(entries)
	default:
		err = fmt.Errorf("mô hình không rõ %q (unknown model)", *model)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lỗi (error):", err)
		os.Exit(1)
	}
	fmt.Printf("đã ghi %d trang vào %s (wrote %d pages)\n", count, *out, count)
}
