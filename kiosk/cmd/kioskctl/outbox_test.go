package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/ocr/pdf"
)

const testDossierJSON = `{"procedure":{"code":"1.001193","name":"Đăng ký khai sinh"},
"unit":{"code":"000.00.21.H26","name":"Ủy ban nhân dân phường Ô Chợ Dừa"},
"applicant":{"idNumber":"001189012345","fullName":"Trần Thị Mai","dateOfBirth":"1989-03-02","phone":"0912345678"},
"fields":{"hoTenTre":"Trần Văn Bình"},
"attachments":[{"type":"to-khai","name":"Tờ khai","path":"to-khai.pdf"},{"type":"giay-chung-sinh","name":"Giấy chứng sinh","path":"%s"}]}`

// startCentralDev runs `kioskctl central-dev` in-process and returns its URL.
func startCentralDev(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"central-dev", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("central-dev did not start: %v", err)
	}
	go io.Copy(io.Discard, pr)
	f := strings.Fields(line)
	for _, w := range f {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") {
			return w
		}
	}
	t.Fatalf("no URL in %q", line)
	return ""
}

func TestOutboxCommands(t *testing.T) {
	ctx := context.Background()
	work := t.TempDir()
	srvData, kioskData := filepath.Join(work, "srv"), filepath.Join(work, "kiosk")
	url := startCentralDev(t, "--data", srvData, "--faults", "500=0.2,reset=0.1,429=0.05")
	os.WriteFile(filepath.Join(work, "to-khai.pdf"), smallPDF(t, 1), 0o644)
	os.Mkdir(filepath.Join(work, "giay-to"), 0o755)
	os.WriteFile(filepath.Join(work, "giay-to", "chung-sinh.pdf"), smallPDF(t, 2), 0o644)
	js := filepath.Join(work, "dossier.json")
	os.WriteFile(js, []byte(strings.Replace(testDossierJSON, "%s", "giay-to/chung-sinh.pdf", 1)), 0o644)

	// A kiosk signs its copies with the certificate enrolment gives it: enrol first (a drain of an
	// empty outbox does), capturing before is refused.
	if code, _, errs := kioskctl(t, ctx, nil, "outbox", "add", "--data", kioskData, js); code != 1 || !strings.Contains(errs, "technician") {
		t.Fatalf("add before enrolment: %d %s", code, errs)
	}
	if code, out, errs := kioskctl(t, ctx, nil, "outbox", "drain", "--data", kioskData, "--central", url, "--until-empty", "--max-delay", "50ms", "--timeout", "60s"); code != 0 {
		t.Fatalf("enrolling drain: %d %s %s", code, out, errs)
	}
	for i := 0; i < 2; i++ {
		code, out, errs := kioskctl(t, ctx, nil, "outbox", "add", "--data", kioskData, js)
		if code != 0 || !strings.Contains(out, "queued") {
			t.Fatalf("add: %d %s %s", code, out, errs)
		}
	}
	code, out, errs := kioskctl(t, ctx, nil, "outbox", "drain", "--data", kioskData, "--central", url, "--until-empty", "--max-delay", "50ms", "--timeout", "60s")
	if code != 0 {
		t.Fatalf("drain: %d %s %s", code, out, errs)
	}
	for _, secret := range []string{"001189012345", "Trần Thị Mai", "0912345678"} {
		if strings.Contains(errs+out, secret) {
			t.Fatalf("personal data %q in drain output", secret)
		}
	}
	code, out, _ = kioskctl(t, ctx, nil, "outbox", "list", "--data", kioskData, "--json")
	var list []struct {
		ID          int64  `json:"id"`
		State       string `json:"state"`
		DossierCode string `json:"dossierCode"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
		t.Fatalf("list: %d %s", code, out)
	}
	code, out, _ = kioskctl(t, ctx, nil, "central-dev", "dump", "--data", srvData, "--json")
	var dump []struct {
		DossierCode, IdempotencyKey, ProcedureCode, ApplicantIDNumber string
		Attachments                                                   []struct {
			Name, SHA256 string
			Size         int64
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &dump) != nil || len(dump) != 2 {
		t.Fatalf("dump: %d %s", code, out)
	}
	codes := map[string]bool{}
	for _, d := range dump {
		codes[d.DossierCode] = true
		if d.ProcedureCode != "1.001193" || d.ApplicantIDNumber != "001189012345" || len(d.Attachments) != 2 || len(d.Attachments[0].SHA256) != 64 {
			t.Fatalf("dump entry %+v", d)
		}
	}
	for _, e := range list {
		if e.State != "accepted" || !codes[e.DossierCode] {
			t.Fatalf("outbox entry %+v not matched on the server", e)
		}
	}
	code, _, errs = kioskctl(t, ctx, nil, "outbox", "retry", "1", "--data", kioskData)
	if code != 1 || !strings.Contains(errs, "already accepted") {
		t.Fatalf("retry of accepted: %d %s", code, errs)
	}
	if code, out, _ := kioskctl(t, ctx, nil, "outbox", "show", "2", "--data", kioskData); code != 0 || !strings.Contains(out, `"state": "uploading"`) {
		t.Fatalf("show: %d %s", code, out)
	}
}

func TestOutboxUsage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"outbox", "retry", "--data", dir},
		{"outbox", "retry", "x", "--data", dir},
		{"outbox", "add", "--data", dir},
		{"outbox", "drain", "--data", dir},
		{"outbox", "list"},
		{"central-dev", "--data", dir, "--faults", "503=1"},
		{"central-dev", "--data", dir, "--listen", "0.0.0.0:0"},
		{"central-dev"},
	} {
		if code, _, errs := kioskctl(t, ctx, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
	if code, out, _ := kioskctl(t, ctx, nil, "outbox", "--help"); code != 0 || !strings.Contains(out, "drain") {
		t.Fatalf("help: %d %s", code, out)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"attachments":[]}`), 0o644)
	if code, _, errs := kioskctl(t, ctx, nil, "outbox", "add", "--data", dir, bad); code != 1 || !strings.Contains(errs, "(") {
		t.Fatalf("bad input: %d %s", code, errs)
	}
}

func TestCentralDevTLS(t *testing.T) {
	ctx := context.Background()
	work := t.TempDir()
	tlsDir := filepath.Join(work, "tls")
	url := startCentralDev(t, "--data", filepath.Join(work, "srv"), "--tls-dir", tlsDir)
	if !strings.HasPrefix(url, "https://") {
		t.Fatal(url)
	}
	os.WriteFile(filepath.Join(work, "to-khai.pdf"), smallPDF(t, 1), 0o644)
	js := filepath.Join(work, "d.json")
	os.WriteFile(js, []byte(strings.Replace(testDossierJSON, "%s", "to-khai.pdf", 1)), 0o644)
	kd := filepath.Join(work, "kiosk")
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// Enrol (the certificate signs the copies), then capture.
	if code, out, errs := kioskctl(t, ctx, nil, "outbox", "drain", "--data", kd, "--central", url, "--tls-dir", tlsDir, "--until-empty"); code != 0 {
		t.Fatalf("enrolling drain over mTLS: %d %s %s", code, out, errs)
	}
	if code, _, errs := kioskctl(t, ctx, nil, "outbox", "add", "--data", kd, js); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := kioskctl(t, ctx, nil, "outbox", "drain", "--data", kd, "--central", url, "--tls-dir", tlsDir, "--until-empty"); code != 0 {
		t.Fatalf("drain over mTLS: %d %s %s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(kd, "keys", "client.pem")); err != nil {
		t.Fatal("no client certificate saved at enrolment")
	}
}

// TestOutboxAddConfined: attachments are read only inside the dossier JSON's folder, and only when
// they parse as PDFs; each refusal is a worded error (exit 1) given before anything is stored.
func TestOutboxAddConfined(t *testing.T) {
	ctx := context.Background()
	work, outside := t.TempDir(), t.TempDir()
	dir := filepath.Join(work, "ho-so")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "to-khai.pdf"), smallPDF(t, 1), 0o644)
	secret := filepath.Join(outside, "secret.pdf")
	os.WriteFile(secret, smallPDF(t, 1), 0o644)
	os.WriteFile(filepath.Join(work, "up.pdf"), smallPDF(t, 1), 0o644)
	os.Symlink(secret, filepath.Join(dir, "link-out.pdf"))
	os.Symlink("to-khai.pdf", filepath.Join(dir, "link-in.pdf"))
	os.WriteFile(filepath.Join(dir, "fake.pdf"), append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("không phải PDF "), 200)...), 0o644)
	kd := filepath.Join(work, "kiosk")
	for path, want := range map[string]string{
		secret:          "tuyệt đối",
		"../up.pdf":     "ra ngoài thư mục",
		"link-out.pdf":  "liên kết tượng trưng",
		"fake.pdf":      "PDF bị hỏng",
		"missing.pdf":   "không đọc được giấy tờ 2",
		"link-in.pdf":   "technician", // accepted attachments: refused later, the kiosk has not enrolled
		"./to-khai.pdf": "technician",
	} {
		js := filepath.Join(dir, "d.json")
		os.WriteFile(js, []byte(strings.Replace(testDossierJSON, "%s", path, 1)), 0o644)
		code, _, errs := kioskctl(t, ctx, nil, "outbox", "add", "--data", kd, js)
		if code != 1 || !strings.Contains(errs, want) || !strings.Contains(errs, "(") {
			t.Errorf("%s: exit %d %q, want exit 1 and %q", path, code, errs, want)
		}
	}
}

// TestOutboxListNeedsStaff: a dossier whose stored files are gone is flagged for staff by a drain
// (which then ends instead of retrying forever) and `outbox list` shows it with the reason.
func TestOutboxListNeedsStaff(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	work := t.TempDir()
	url := startCentralDev(t, "--data", filepath.Join(work, "srv"))
	os.WriteFile(filepath.Join(work, "to-khai.pdf"), smallPDF(t, 1), 0o644)
	js := filepath.Join(work, "d.json")
	os.WriteFile(js, []byte(strings.Replace(testDossierJSON, "%s", "to-khai.pdf", 1)), 0o644)
	kd := filepath.Join(work, "kiosk")
	drain := []string{"outbox", "drain", "--data", kd, "--central", url, "--until-empty", "--max-delay", "50ms", "--timeout", "30s"}
	if code, out, errs := kioskctl(t, ctx, nil, drain...); code != 0 {
		t.Fatalf("enrolling drain: %d %s %s", code, out, errs)
	}
	if code, _, errs := kioskctl(t, ctx, nil, "outbox", "add", "--data", kd, js); code != 0 {
		t.Fatal(errs)
	}
	blobs, _ := filepath.Glob(filepath.Join(kd, "blobs", "*"))
	for _, b := range blobs {
		os.Remove(b)
	}
	if code, out, errs := kioskctl(t, ctx, nil, drain...); code != 0 || !strings.Contains(out, "còn 0") {
		t.Fatalf("drain with missing files: %d %s %s", code, out, errs)
	}
	code, out, errs := kioskctl(t, ctx, nil, "outbox", "list", "--data", kd, "--state", "needs-staff")
	if code != 0 || !strings.Contains(out, "needs-staff") || !strings.Contains(out, "nhân viên") {
		t.Fatalf("list: %d %s %s", code, out, errs)
	}
}

// TestOutboxDrainRefusesWithoutPinnedCA: with --tls-dir, a ca.pem that cannot be read or holds no
// CA certificate stops the drain before anything is sent (exit 1, worded error).
func TestOutboxDrainRefusesWithoutPinnedCA(t *testing.T) {
	ctx := context.Background()
	work := t.TempDir()
	url := startCentralDev(t, "--data", filepath.Join(work, "srv"))
	for name, setup := range map[string]func(dir string){
		"missing":  func(string) {},
		"a folder": func(dir string) { os.Mkdir(filepath.Join(dir, "ca.pem"), 0o755) },
		"not a CA": func(dir string) {
			os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("không phải chứng thư"), 0o644)
		},
	} {
		tlsDir := filepath.Join(work, name)
		os.Mkdir(tlsDir, 0o755)
		setup(tlsDir)
		code, _, errs := kioskctl(t, ctx, nil, "outbox", "drain", "--data", filepath.Join(work, "kiosk"), "--central", url,
			"--tls-dir", tlsDir, "--until-empty", "--timeout", "20s")
		if code != 1 || !strings.Contains(errs, "bộ gửi không khởi động") || !strings.Contains(errs, "does not start") {
			t.Errorf("%s: exit %d %s", name, code, errs)
		}
	}
}

// smallPDF is a PDF of the kiosk's writer with n blank pages.
func smallPDF(t *testing.T, n int) []byte {
	t.Helper()
	var pages []pdf.Page
	for i := 0; i < n; i++ {
		g := image.NewGray(image.Rect(0, 0, 64, 64))
		for j := range g.Pix {
			g.Pix[j] = 255
		}
		pages = append(pages, pdf.Page{Image: g, Encoding: pdf.G4, DPI: 72})
	}
	var b bytes.Buffer
	if err := pdf.Write(&b, pages, pdf.Info{}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
