package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// kioskctl runs the command in-process and returns its exit code and outputs.
func kioskctl(t *testing.T, ctx context.Context, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code := run(ctx, args, stdin, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpAndUsageExitCodes(t *testing.T) {
	ctx := context.Background()
	if code, out, _ := kioskctl(t, ctx, nil, "--help"); code != 0 || !strings.Contains(out, "printer") || !strings.Contains(out, "receipt") {
		t.Fatalf("--help: %d %q", code, out)
	}
	if code, _, _ := kioskctl(t, ctx, nil); code != 2 {
		t.Fatalf("no arguments: exit %d, want 2", code)
	}
	if code, _, errs := kioskctl(t, ctx, nil, "nonsense"); code != 2 || !strings.Contains(errs, "nonsense") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
	if code, out, _ := kioskctl(t, ctx, nil, "printer", "print", "--help"); code != 0 || !strings.Contains(out, "--device") {
		t.Fatalf("printer print --help: %d %q", code, out)
	}
	if code, _, errs := kioskctl(t, ctx, nil, "receipt", "render", "--in", "x.json"); code != 2 || !strings.Contains(errs, "--out") {
		t.Fatalf("missing --out: %d %q", code, errs)
	}
	if code, _, _ := kioskctl(t, ctx, nil, "receipt", "render", "--bogus"); code != 2 {
		t.Fatalf("unknown flag: exit %d", code)
	}
	if code, _, _ := kioskctl(t, ctx, nil, "receipt", "render", "--in", "a", "--out", "b", "--paper", "72"); code != 2 {
		t.Fatalf("bad paper: exit %d", code)
	}
}

func TestReceiptRenderErrorsNameTheField(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile("../../receipt/testdata/typical.json")
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "lookupUrl")
	bad, _ := json.Marshal(m)
	in := filepath.Join(dir, "bad.json")
	os.WriteFile(in, bad, 0o644)
	out := filepath.Join(dir, "r.bin")
	code, _, errs := kioskctl(t, context.Background(), nil, "receipt", "render", "--in", in, "--out", out)
	if code != 1 || !strings.Contains(errs, "lookupUrl") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("an invalid receipt still produced output")
	}
	code, _, errs = kioskctl(t, context.Background(), nil, "receipt", "render", "--in", filepath.Join(dir, "missing.json"), "--out", out)
	if code != 1 || !strings.Contains(errs, "missing.json") {
		t.Fatalf("missing file: %d %q", code, errs)
	}
}

// TestReceiptEndToEnd renders the typical receipt, prints it through the simulator over a real
// pseudo-terminal, and checks the paper: every Vietnamese word legible to Tesseract, the QR code
// decoding to the lookup URL.
func TestReceiptEndToEnd(t *testing.T) {
	for _, tool := range []string{"tesseract", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: make deps installs it", tool)
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bin := filepath.Join(dir, "r.bin")
	if code, out, errs := kioskctl(t, ctx, nil, "receipt", "render", "--in", "../../receipt/testdata/typical.json", "--out", bin); code != 0 {
		t.Fatalf("render: %d %s %s", code, out, errs)
	}
	link := filepath.Join(dir, "printer")
	pngDir := filepath.Join(dir, "paper")
	simCtx, stopSim := context.WithCancel(ctx)
	stdinR, stdinW := io.Pipe()
	defer stdinW.Close()
	simDone := make(chan string)
	go func() {
		_, out, _ := kioskctl(t, simCtx, stdinR, "printer", "simulate", "--link", link, "--out", pngDir)
		simDone <- out
	}()
	waitFor(t, func() bool { _, err := os.Lstat(link); return err == nil })
	if code, out, errs := kioskctl(t, ctx, nil, "printer", "status", "--device", "serial:"+link+"?baud=115200"); code != 0 {
		t.Fatalf("status: %d %s %s", code, out, errs)
	}
	if code, out, errs := kioskctl(t, ctx, nil, "printer", "print", "--device", "serial:"+link+"?baud=115200", "--in", bin); code != 0 {
		t.Fatalf("print: %d %s %s", code, out, errs)
	}
	png := filepath.Join(pngDir, "receipt-0001.png")
	waitFor(t, func() bool { _, err := os.Stat(png); return err == nil })
	stopSim()
	if out := <-simDone; !strings.Contains(out, "receipt-0001.png") {
		t.Fatalf("simulator did not report the receipt: %q", out)
	}

	qr, err := exec.Command("zbarimg", "-q", "--raw", png).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(qr)); got != "https://dichvucong.hanoi.gov.vn/tra-cuu?ma=000.00.21.H26-251124-0417" {
		t.Fatalf("QR decodes to %q", got)
	}
	ocr, err := exec.Command("tesseract", png, "stdout", "-l", "vie").Output()
	if err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	text := strings.Join(strings.Fields(norm.NFC.String(string(ocr))), "")
	var expected []string
	for _, s := range []string{
		"ỦY BAN NHÂN DÂN PHƯỜNG Ô CHỢ DỪA", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Nguyễn Thị Ngọc Huyền",
		"Đăng ký khai sinh", "Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Căn cước của người đi đăng ký",
		"Giấy chứng nhận kết hôn của cha mẹ", "Văn bản ủy quyền có chứng thực", "Giấy xác nhận nơi cư trú",
		"Hẹn trả kết quả", "Nhận trực tiếp tại Bộ phận Một cửa", "Phường Ô Chợ Dừa, thành phố Hà Nội",
	} {
		for _, w := range strings.Fields(s) {
			if strings.IndexFunc(w, func(r rune) bool { return r > unicode.MaxASCII }) >= 0 {
				expected = append(expected, w)
			}
		}
	}
	var missing []string
	for _, w := range expected {
		if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d Vietnamese words not legible: %q\nOCR:\n%s", len(missing), len(expected), missing, ocr)
	}
	if strings.Contains(string(ocr), "001189012345") || strings.Contains(string(ocr), "0011890") {
		t.Fatal("the full ID number is printed; only the last 4 digits may be")
	}
}

func TestEmulateCommand(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "r.bin")
	kioskctl(t, context.Background(), nil, "receipt", "render", "--in", "../../receipt/testdata/typical.json", "--out", bin, "--paper", "58")
	png := filepath.Join(dir, "p.png")
	code, out, errs := kioskctl(t, context.Background(), nil, "printer", "emulate", "--in", bin, "--png", png, "--paper", "58", "--strict")
	if code != 0 || !strings.Contains(out, "384×") || !strings.Contains(out, "QR: https://") {
		t.Fatalf("%d %q %q", code, out, errs)
	}
	// Garbage: reported, and --strict makes it an error.
	os.WriteFile(bin, []byte("\x1b\xfeabc\n\x1dV\x41\x00"), 0o644)
	code, _, errs = kioskctl(t, context.Background(), nil, "printer", "emulate", "--in", bin, "--png", png, "--strict")
	if code != 1 || !strings.Contains(errs, "lệnh lạ") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs kioskd")
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", bin, "../kioskd").CombinedOutput(); err != nil {
		t.Fatalf("go build kioskd: %v\n%s", err, out)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out := filepath.Join(t.TempDir(), "demo-out")
	code, stdout, errs := kioskctl(t, context.Background(), nil, "demo", "--headless", "--out", out)
	if code != 0 {
		t.Fatalf("demo: %d\n%s\n%s", code, stdout, errs)
	}
	for _, f := range []string{"receipt.png", "central-dossier.json", "form.json", "transcript.txt", "dossier-1-to-khai-khai-sinh.pdf",
		"status-slip.png", "queue-ticket.png", "fee-receipt.png", "fee-session-bien-lai.png", "fee-session-receipt.png",
		"fee-session-dossier-2-van-ban-can-chung-thuc.pdf"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "central-dossier.json"))
	var rec struct {
		DossierCode       string                    `json:"dossierCode"`
		ApplicantIDNumber string                    `json:"applicantIdNumber"`
		Attachments       []struct{ SHA256 string } `json:"attachments"`
	}
	json.Unmarshal(b, &rec)
	if !strings.HasPrefix(rec.DossierCode, "000.00.21.H26-") || rec.ApplicantIDNumber != "079092001234" || len(rec.Attachments) != 3 {
		t.Fatalf("central record %+v", rec)
	}
	text, err := exec.Command("pdftotext", filepath.Join(out, "dossier-1-to-khai-khai-sinh.pdf"), "-").Output()
	if err != nil || !strings.Contains(string(text), "Trần Minh Khang") {
		t.Fatalf("the dossier PDF's text layer: %v %q", err, text)
	}
	tr, _ := os.ReadFile(filepath.Join(out, "transcript.txt"))
	for _, state := range []string{"identify/card", "identify/reading", "choose_procedure", "documents/preview", "review/editing", "consent", "done",
		"tracker/track_result", "queue/queue_ticket", "payment/pay_qr", "payment/pay_paid", "choose_procedure/procedure",
		"(payment screen): 10.000 đồng"} {
		if !strings.Contains(string(tr), state) {
			t.Errorf("transcript lacks %s", state)
		}
	}
	// The cabinet's lamps, read back from the simulated lines: lit for the card and the receipt.
	for _, lamp := range []string{"(the cabinet's card lamp): on", "(the cabinet's receipt lamp): on"} {
		if !strings.Contains(string(tr), lamp) {
			t.Errorf("transcript lacks %q", lamp)
		}
	}
}
