// Command bench measures the OCR pipeline against raw Tesseract and OCRmyPDF on the same generated
// degraded pages in one run: pages per minute, character error rate, output bytes per page and peak
// memory; with -stages it first prints the CPU time of each stage of the pipeline (decode,
// preprocess, Tesseract, PDF encode) per page. It is not part of the tests; run it with
//
//	go run ./ocr/bench [-n 6] [-seed 1] [-dir DIR] [-jobs 2] [-stages] [-skip-ocrmypdf]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tramso/tramso/ocr/corpus"
)

type outcome struct {
	name    string
	wall    time.Duration
	cpu     time.Duration // user + system time of all the tool's processes
	cer     []float64
	bytes   int64 // output PDF bytes, total
	peakRSS int64 // KiB, largest single process
	err     error
}

func main() {
	n := flag.Int("n", 6, "số trang (pages)")
	seed := flag.Uint64("seed", 1, "hạt giống (seed)")
	dir := flag.String("dir", "", "thư mục làm việc (work directory; default a temporary one)")
	jobs := flag.Int("jobs", 2, "số tiến trình song song cho công cụ ngoài (parallel processes for external tools)")
	skip := flag.Bool("skip-ocrmypdf", false, "bỏ qua OCRmyPDF (skip OCRmyPDF)")
	stages := flag.Bool("stages", false, "đo thời gian CPU từng bước (CPU time per pipeline stage)")
	flag.Parse()
	if err := run(*n, *seed, *dir, *jobs, *skip, *stages); err != nil {
		fmt.Fprintln(os.Stderr, "lỗi (error):", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, dir string, jobs int, skipOCRmyPDF, stages bool) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "tramso-bench-ocr-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	g, err := corpus.NewGenerator()
	if err != nil {
		return err
	}
	pagesDir := filepath.Join(dir, "pages")
	entries, err := g.WriteDir(pagesDir, n, seed, false)
	if err != nil {
		return err
	}
	var inputs, truths []string
	for _, e := range entries {
		inputs = append(inputs, filepath.Join(pagesDir, e.Image))
		t, err := os.ReadFile(filepath.Join(pagesDir, e.Truth))
		if err != nil {
			return err
		}
		truths = append(truths, string(t))
	}
	fmt.Printf("%d trang suy giảm (degraded pages), seed %d, dpi:", n, seed)
	for _, e := range entries {
		fmt.Printf(" %d", e.Spec.DPI)
	}
	fmt.Println()
	if stages {
		if err := runStages(inputs, truths); err != nil {
			return err
		}
	}

	kioskctl := filepath.Join(dir, "kioskctl")
	if out, err := exec.Command("go", "build", "-o", kioskctl, "./kiosk/cmd/kioskctl").CombinedOutput(); err != nil {
		return fmt.Errorf("go build kioskctl: %v\n%s", err, out)
	}
	var results []outcome
	results = append(results, runKioskctl(kioskctl, dir, inputs, truths))
	results = append(results, runPerPage("tesseract -l vie", dir, inputs, truths, jobs, func(in, out string) (*exec.Cmd, string, string) {
		return exec.Command("tesseract", in, out, "-l", "vie"), out + ".txt", ""
	}))
	if !skipOCRmyPDF {
		results = append(results, runPerPage("ocrmypdf -l vie", dir, inputs, truths, jobs, func(in, out string) (*exec.Cmd, string, string) {
			return exec.Command("ocrmypdf", "-q", "--jobs", "1", "-l", "vie", in, out+".pdf"), "", out + ".pdf"
		}))
		results = append(results, runPerPage("ocrmypdf -l vie --deskew --clean", dir, inputs, truths, jobs, func(in, out string) (*exec.Cmd, string, string) {
			return exec.Command("ocrmypdf", "-q", "--jobs", "1", "-l", "vie", "--deskew", "--clean", in, out+".pdf"), "", out + ".pdf"
		}))
	}
	fmt.Printf("\n%-36s %9s %8s %10s %8s %8s %10s %9s\n", "tool", "wall s", "CPU s", "pages/min", "meanCER", "maxCER", "KB/page", "peak MB")
	for _, r := range results {
		if r.err != nil {
			fmt.Printf("%-36s lỗi (error): %v\n", r.name, r.err)
			continue
		}
		mean, mx := 0.0, 0.0
		for _, c := range r.cer {
			mean += c
			mx = max(mx, c)
		}
		mean /= float64(len(r.cer))
		kb := "-"
		if r.bytes > 0 {
			kb = fmt.Sprintf("%.0f", float64(r.bytes)/1024/float64(n))
		}
		fmt.Printf("%-36s %9.2f %8.2f %10.1f %8.3f %8.3f %10s %9.0f\n", r.name, r.wall.Seconds(), r.cpu.Seconds(), float64(n)/r.wall.Minutes(), mean, mx, kb, float64(r.peakRSS)/1024)
		fmt.Printf("    CER per page:")
		for _, c := range r.cer {
			fmt.Printf(" %.3f", c)
		}
		fmt.Println()
	}
	return nil
}

func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

func runKioskctl(exe, dir string, inputs, truths []string) outcome {
	o := outcome{name: "kioskctl ocr (tramso)"}
	pdfOut := filepath.Join(dir, "kioskctl.pdf")
	txtOut := filepath.Join(dir, "kioskctl.txt")
	cmd := exec.Command(exe, append([]string{"ocr", "--pdf", pdfOut, "--text", txtOut}, inputs...)...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	o.wall = time.Since(start)
	if err != nil {
		o.err = err
		return o
	}
	o.peakRSS = maxRSS(cmd.ProcessState)
	o.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	text, err := os.ReadFile(txtOut)
	if err != nil {
		o.err = err
		return o
	}
	pages := strings.Split(string(text), "\f")
	for i, t := range truths {
		got := ""
		if i < len(pages) {
			got = pages[i]
		}
		o.cer = append(o.cer, corpus.CER(t, got))
	}
	if st, err := os.Stat(pdfOut); err == nil {
		o.bytes = st.Size()
	}
	return o
}

// runPerPage runs an external tool once per page, jobs at a time, with one OpenMP thread each.
func runPerPage(name, dir string, inputs, truths []string, jobs int, mk func(in, out string) (*exec.Cmd, string, string)) outcome {
	o := outcome{name: name, cer: make([]float64, len(inputs))}
	sub := filepath.Join(dir, strings.NewReplacer(" ", "_", "-", "").Replace(name))
	os.MkdirAll(sub, 0o755)
	var mu sync.Mutex
	outs := make([][2]string, len(inputs))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	start := time.Now()
	for i, in := range inputs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, in string) {
			defer wg.Done()
			defer func() { <-sem }()
			cmd, txt, pdf := mk(in, filepath.Join(sub, fmt.Sprintf("p%03d", i)))
			cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				o.err = fmt.Errorf("page %d: %v: %s", i+1, err, firstLine(stderr.String()))
				return
			}
			o.peakRSS = max(o.peakRSS, maxRSS(cmd.ProcessState))
			o.cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			outs[i] = [2]string{txt, pdf}
		}(i, in)
	}
	wg.Wait()
	o.wall = time.Since(start)
	if o.err != nil {
		return o
	}
	for i, f := range outs {
		var text []byte
		var err error
		if f[1] != "" {
			if st, err := os.Stat(f[1]); err == nil {
				o.bytes += st.Size()
			}
			text, err = exec.CommandContext(context.Background(), "pdftotext", "-enc", "UTF-8", f[1], "-").Output()
		} else {
			text, err = os.ReadFile(f[0])
		}
		if err != nil {
			o.err = err
			return o
		}
		o.cer[i] = corpus.CER(truths[i], string(text))
	}
	return o
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
