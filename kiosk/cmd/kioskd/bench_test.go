package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// rssKB reads a process's resident set (VmRSS) and its peak (VmHWM) in KiB.
func rssKB(pid int) (rss, peak int) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "VmRSS:":
			rss = n
		case "VmHWM:":
			peak = n
		}
	}
	return rss, peak
}

func benchBuild(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "kioskd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkStartToReady measures a kioskd --sim process from exec until its local API answers
// (READY: store open, devices probed, simulators included).
func BenchmarkStartToReady(b *testing.B) {
	bin := benchBuild(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		dir, _ := os.MkdirTemp("", "tb")
		start := time.Now()
		cmd := exec.Command(bin, "--sim", "--sim-dir", dir)
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		c := client.New(filepath.Join(dir, "kiosk.sock"))
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if _, err := c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.Attract }); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		cancel()
		cmd.Process.Kill()
		cmd.Wait()
		os.RemoveAll(dir)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-ready")
}

// BenchmarkDossierLoad drives one citizen with a 10-page document through a kioskd --sim process and
// reports the local API's latency (p50, p99) while the OCR of those pages keeps both cores busy,
// and kioskd's resident memory at idle and at its peak.
func BenchmarkDossierLoad(b *testing.B) { dossierLoad(b, 10) }

// BenchmarkDossierLoad20 is BenchmarkDossierLoad with a 20-page dossier: kioskd's peak memory must
// not grow with the page count (issue 13: ≤ 400 MB, flat).
func BenchmarkDossierLoad20(b *testing.B) { dossierLoad(b, 20) }

// dossierLoad plays a birth registration whose first document has total−2 pages.
func dossierLoad(b *testing.B, total int) {
	bin := benchBuild(b)
	dir, _ := os.MkdirTemp("", "tb")
	defer os.RemoveAll(dir)
	cmd := exec.Command(bin, "--sim", "--sim-dir", dir)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	c := client.New(filepath.Join(dir, "kiosk.sock"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	_, err := c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.Attract })
	must(err)
	time.Sleep(time.Second)
	idle, _ := rssKB(cmd.Process.Pid)

	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		must(c.Sim(ctx, http.MethodPost, "qr", map[string]any{"citizen": "tran-van-an"}, nil))
		_, err = c.WaitFor(ctx, func(v wire.View) bool { return v.Step == wire.StepCard })
		must(err)
		must(c.Sim(ctx, http.MethodPost, "card", map[string]any{"citizen": "tran-van-an"}, nil))
		_, err = c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.ChooseProcedure })
		must(err)
		must(c.Sim(ctx, http.MethodDelete, "card", nil, nil))
		v, err := c.Act(ctx, wire.ActChoose, "1.001193")
		must(err)
		for doc := 0; v.State == wire.Documents; doc++ {
			if !v.Documents[v.Current].Required {
				v, err = c.Act(ctx, wire.ActSkip, "")
				must(err)
				continue
			}
			pages := 1
			if doc == 0 {
				pages = total - 2 // the two other papers have one page each
			}
			must(c.Sim(ctx, http.MethodPost, "scanner", map[string]any{"load": v.Current + 1, "pages": pages}, nil))
			_, err = c.Act(ctx, wire.ActScan, "")
			must(err)
			_, err = c.WaitFor(ctx, func(v wire.View) bool {
				return v.Step == wire.StepPreview && v.Documents[v.Current].PreviewReady
			})
			must(err)
			v, err = c.Act(ctx, wire.ActAccept, "")
			must(err)
		}
		// The OCR of the pages runs now; measure the local API meanwhile.
		var mu sync.Mutex
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				if _, err := c.View(ctx); err == nil {
					mu.Lock()
					lat = append(lat, time.Since(t0))
					mu.Unlock()
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		_, err = c.WaitFor(ctx, func(v wire.View) bool { return v.State == wire.Review && v.Step == wire.StepEditing })
		close(stop)
		wg.Wait()
		must(err)
		_, err = c.Act(ctx, wire.ActCancel, "")
		must(err)
	}
	_, peak := rssKB(cmd.Process.Pid)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		b.Fatal("no latency samples")
	}
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.50), "api-p50-ms")
	b.ReportMetric(p(0.99), "api-p99-ms")
	b.ReportMetric(float64(len(lat)), "api-samples")
	b.ReportMetric(float64(idle)/1024, "rss-idle-MB")
	b.ReportMetric(float64(peak)/1024, "rss-peak-MB")
}
