// Command bench measures the OCR pipeline against raw Tesseract and OCRmyPDF on the same generated
// degraded pages in one run: pages per minute, character error rate, output bytes per page and peak
// memory; with -stages it first prints the CPU time of each stage of the pipeline (decode,
// preprocess, Tesseract, PDF encode) per page. It is not part of the tests; run it with
//
//	go run ./ocr/bench [-n 4] [-seeds heldout|tuning] [-models scan,copy] [-dir DIR] [-jobs 2] [-stages] [-skip-ocrmypdf]
//
// Pages come from both degradation models of ocr/corpus, from their held-out seeds unless -seeds
// tuning is given; the report gives, per model, the mean and worst page CER of kioskctl ocr and raw
// tesseract and the page where kioskctl does worst against raw tesseract.
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
	per := flag.Int("n", 4, "số trang mỗi hạt giống (pages per seed)")
	set := flag.String("seeds", "heldout", "bộ hạt giống: heldout|tuning (seed set; report on heldout, tune on tuning)")
	models := flag.String("models", "scan,copy", "mô hình suy giảm (degradation models)")
	dir := flag.String("dir", "", "thư mục làm việc (work directory; default a temporary one)")
	jobs := flag.Int("jobs", 2, "số tiến trình song song cho công cụ ngoài (parallel processes for external tools)")
	skip := flag.Bool("skip-ocrmypdf", false, "bỏ qua OCRmyPDF (skip OCRmyPDF)")
	stages := flag.Bool("stages", false, "đo thời gian CPU từng bước (CPU time per pipeline stage)")
	home, _ := os.UserCacheDir()
	cache := flag.String("cache", filepath.Join(home, "tramso", "bench-ocr"), "thư mục lưu trang đã tạo, dùng lại giữa các lần chạy; rỗng để không lưu (cache of generated pages, reused between runs; empty for none)")
	inproc := flag.Bool("inprocess", false, "chạy pipeline trong tiến trình thay vì kioskctl, in kết luận từng trang (run the pipeline in process instead of kioskctl, print each page's verdict)")
	flag.Parse()
	if err := run(*per, *set, *models, *dir, *cache, *jobs, *skip, *stages, *inproc); err != nil {
		fmt.Fprintln(os.Stderr, "lỗi (error):", err)
		os.Exit(1)
	}
}

// page is one benchmark page.
type page struct {
	input, truth string
	model        corpus.Model
	label        string
}

func run(per int, set, models, dir, cache string, jobs int, skipOCRmyPDF, stages, inproc bool) error {
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
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("loadavg lúc bắt đầu (at start): %s", load)
	pagesDir := filepath.Join(dir, "pages")
	if cache != "" {
		pagesDir = cache
	}
	var pages []page
	var ms []corpus.Model
	for _, name := range strings.Split(models, ",") {
		switch strings.TrimSpace(name) {
		case "scan":
			ms = append(ms, corpus.ModelScan)
		case "copy":
			ms = append(ms, corpus.ModelCopy)
		default:
			return fmt.Errorf("mô hình không rõ %q (unknown model)", name)
		}
	}
	for _, m := range ms {
		seeds := corpus.HeldOutSeeds(m)
		if set == "tuning" {
			seeds = corpus.TuningSeeds(m)
		}
		entries, err := g.WriteModel(context.Background(), pagesDir, m, seeds, per)
		if err != nil {
			return err
		}
		fmt.Printf("mô hình %s (model), hạt giống %s %v: %d trang (pages), dpi:", m, set, seeds, len(entries))
		for _, e := range entries {
			fmt.Printf(" %d", e.DPI)
			t, err := os.ReadFile(filepath.Join(pagesDir, e.Truth))
			if err != nil {
				return err
			}
			pages = append(pages, page{input: filepath.Join(pagesDir, e.Image), truth: string(t), model: m, label: strings.TrimSuffix(e.Image, filepath.Ext(e.Image))})
		}
		fmt.Println()
	}
	var inputs, truths []string
	for _, p := range pages {
		inputs = append(inputs, p.input)
		truths = append(truths, p.truth)
	}
	if stages {
		if err := runStages(inputs, truths); err != nil {
			return err
		}
	}

	var results []outcome
	if inproc {
		results = append(results, runInProcess(inputs, truths, true))
	} else {
		kioskctl := filepath.Join(dir, "kioskctl")
		if out, err := exec.Command("go", "build", "-o", kioskctl, "./kiosk/cmd/kioskctl").CombinedOutput(); err != nil {
			return fmt.Errorf("go build kioskctl: %v\n%s", err, out)
		}
		results = append(results, runKioskctl(kioskctl, dir, inputs, truths))
	}
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
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Printf("loadavg lúc kết thúc (at end): %s", load)
	n := len(pages)
	fmt.Printf("\n%-36s %9s %8s %10s %8s %10s %9s\n", "tool (all pages)", "wall s", "CPU s", "pages/min", "meanCER", "KB/page", "peak MB")
	for _, r := range results {
		if r.err != nil {
			fmt.Printf("%-36s lỗi (error): %v\n", r.name, r.err)
			continue
		}
		kb := "-"
		if r.bytes > 0 {
			kb = fmt.Sprintf("%.0f", float64(r.bytes)/1024/float64(n))
		}
		mean, _ := meanMax(r.cer, pages, 0)
		fmt.Printf("%-36s %9.2f %8.2f %10.1f %8.3f %10s %9.0f\n", r.name, r.wall.Seconds(), r.cpu.Seconds(), float64(n)/r.wall.Minutes(), mean, kb, float64(r.peakRSS)/1024)
	}
	ours, raw := results[0], results[1]
	if ours.err == nil && raw.err == nil {
		fmt.Printf("\nkioskctl / tesseract: wall %.2f×, CPU %.2f×\n", ours.wall.Seconds()/raw.wall.Seconds(), ours.cpu.Seconds()/raw.cpu.Seconds())
		for _, m := range ms {
			om, ox := meanMax(ours.cer, pages, m)
			rm, rx := meanMax(raw.cer, pages, m)
			worst, at := -1.0, ""
			for i, p := range pages {
				if p.model == m && ours.cer[i]-raw.cer[i] > worst {
					worst, at = ours.cer[i]-raw.cer[i], p.label
				}
			}
			fmt.Printf("mô hình %-5s CER trung bình (mean) kioskctl %.3f, tesseract %.3f (%.2f×); trang tệ nhất (worst page) kioskctl %.3f, tesseract %.3f; chênh lệch lớn nhất so với tesseract (worst page vs tesseract) %+.3f (%s)\n",
				m, om, rm, om/max(rm, 1e-9), ox, rx, worst, at)
		}
		fmt.Println("\ntrang (page)              kioskctl  tesseract   diff")
		for i, p := range pages {
			mark := ""
			if ours.cer[i]-raw.cer[i] > 0.01 {
				mark = "  <-- tệ hơn tesseract (worse than tesseract)"
			}
			fmt.Printf("%-24s %9.3f %10.3f %+7.3f%s\n", p.label, ours.cer[i], raw.cer[i], ours.cer[i]-raw.cer[i], mark)
		}
	}
	for _, r := range results[2:] {
		if r.err != nil {
			continue
		}
		fmt.Printf("%s CER per page:", r.name)
		for _, c := range r.cer {
			fmt.Printf(" %.3f", c)
		}
		fmt.Println()
	}
	return nil
}

// meanMax is the mean and largest CER over the pages of model m (all pages when m is 0).
func meanMax(cer []float64, pages []page, m corpus.Model) (mean, mx float64) {
	n := 0
	for i, c := range cer {
		if m != 0 && pages[i].model != m {
			continue
		}
		mean += c
		mx = max(mx, c)
		n++
	}
	if n > 0 {
		mean /= float64(n)
	}
	return mean, mx
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
