package main

import (
	"context"
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/codereader"
	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/receipt"
)

// demoData holds a fictional citizen (and the face on the card) and a receipt template.
//
//go:embed demodata
var demoData embed.FS

func demoCommand() *command {
	return &command{
		name:    "demo",
		summary: "chạy thử kiosk trên thiết bị giả lập — run the kiosk on simulated hardware",
		usage:   "--out DIR [--headless]",
		help: `Một công dân (hư cấu) đưa mã QR trên thẻ vào máy quét giả lập, đặt thẻ CCCD giả lập lên đầu đọc
PN532 giả lập; kiosk đọc và xác thực thẻ (PACE, xác thực thụ động, xác thực chip), điền biên nhận
từ dữ liệu thẻ và in qua máy in giả lập. Mọi thiết bị giả lập nằm ở đầu kia của pty, như phần cứng thật.
Kết quả trong DIR: identity.json, receipt.json, receipt.bin, receipt.png, transcript.txt.
A fictional citizen scans the card's QR code on the simulated scanner and puts the simulated CCCD on
the simulated PN532; the kiosk reads and verifies the card, fills the receipt and prints it.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			out := fs.String("out", "demo-out", "thư mục kết quả (output folder)")
			fs.Bool("headless", true, "không mở cửa sổ (no window)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("thừa đối số (unexpected arguments) %q", args)
				}
				return runDemo(ctx, e, *out)
			}
		},
	}
}

type demo struct {
	e          *env
	out, tmp   string
	transcript []string
}

func (d *demo) step(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	d.transcript = append(d.transcript, time.Now().Format("15:04:05.000")+" "+line)
	fmt.Fprintf(d.e.stdout, "• %s\n", line)
}

func (d *demo) writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d.out, name), append(b, '\n'), 0o644)
}

func runDemo(ctx context.Context, e *env, out string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("không tạo được %s (cannot create): %w", out, err)
	}
	tmp, err := os.MkdirTemp("", "tramso-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"citizen.json", "face.jpg"} {
		b, _ := demoData.ReadFile("demodata/" + f)
		if err := os.WriteFile(filepath.Join(tmp, f), b, 0o600); err != nil {
			return err
		}
	}
	d := &demo{e: e, out: out, tmp: tmp}
	id, err := d.identify(ctx)
	if err != nil {
		return err
	}
	if err := d.printReceipt(ctx, id); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "transcript.txt"), []byte(strings.Join(d.transcript, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nKết quả ở (results in) %s/: identity.json, receipt.json, receipt.bin, receipt.png, transcript.txt\n", out)
	return nil
}

// identify plays the citizen: the card's QR code on the scanner, then the card on the reader.
func (d *demo) identify(ctx context.Context) (*identity.Result, error) {
	pki, err := cccd.NewTestPKI("")
	if err != nil {
		return nil, err
	}
	card, err := identity.NewSimCard(filepath.Join(d.tmp, "citizen.json"), pki, identity.SimOptions{})
	if err != nil {
		return nil, err
	}

	qrSim, err := codereader.NewSimulator(filepath.Join(d.tmp, "qr"))
	if err != nil {
		return nil, err
	}
	defer qrSim.Close()
	scanner, err := codereader.Open("serial:" + qrSim.Link() + "?baud=9600")
	if err != nil {
		return nil, err
	}
	defer scanner.Close()
	d.step("máy quét QR giả lập trên pty (QR scanner simulator): %s", qrSim.Link())
	go qrSim.Scan(ctx, cccd.QRPayload(card.Citizen))
	scan, err := scanner.Next(ctx)
	if err != nil {
		return nil, err
	}
	key, _, err := identity.KeyFromQR(scan.Payload)
	if err != nil {
		return nil, err
	}
	d.step("đã quét mã QR trên thẻ, có CAN để mở chip (card QR scanned: CAN derived)")

	nfc, err := pn532sim.Serve(ctx, filepath.Join(d.tmp, "nfc"), pn532sim.Options{Card: card.Chip})
	if err != nil {
		return nil, err
	}
	defer nfc.Close()
	d.step("đầu đọc PN532 giả lập trên pty, thẻ CCCD giả lập đã đặt (PN532 simulator, card placed): %s", nfc.Link())
	rd, err := identity.OpenReader(ctx, "pn532:"+nfc.Link())
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	tr, err := rd.WaitForCard(ctx)
	if err != nil {
		return nil, err
	}
	res, err := identity.Read(ctx, tr, key, identity.Options{Trust: pki.TrustStore()})
	if err != nil {
		return nil, err
	}
	d.step("đã đọc chip (chip read): %s, xác thực thụ động %s, xác thực chip %s, %d APDU",
		res.Access, res.PassiveAuth, res.ChipAuth, res.APDUs)
	if !res.Genuine() {
		return nil, fmt.Errorf("thẻ không xác thực được (card not genuine): %s", res.PassiveAuthDetail)
	}
	return res, d.writeJSON("identity.json", res)
}

// printReceipt fills the receipt from the card and prints it on the simulated printer.
func (d *demo) printReceipt(ctx context.Context, id *identity.Result) error {
	tpl, _ := demoData.ReadFile("demodata/receipt.json")
	r, err := receipt.Parse(tpl)
	if err != nil {
		return err
	}
	r.Applicant.Name = id.Citizen.FullName
	r.Applicant.IDNumber = id.Citizen.IDNumber
	r.Applicant.Address = id.Citizen.PlaceOfResidence
	r.ReceivedAt = time.Now().Format(time.RFC3339)
	r.AppointmentAt = time.Now().Add(24 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
	if err := r.Validate(); err != nil {
		return err
	}
	if err := d.writeJSON("receipt.json", r); err != nil {
		return err
	}
	p, _ := escpos.LookupProfile("generic-80")
	fonts, err := escpos.LoadFonts()
	if err != nil {
		return err
	}
	job, err := escpos.Compile(receipt.Layout(r, p), p, fonts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.out, "receipt.bin"), job.Data, 0o644); err != nil {
		return err
	}
	d.step("biên nhận dựng xong (receipt rendered): %d byte ESC/POS, %d dòng chữ tiếng Việt dạng ảnh", len(job.Data), job.RasterLines)

	paper := filepath.Join(d.tmp, "paper")
	sim, err := escpossim.Serve(ctx, filepath.Join(d.tmp, "printer"), escpossim.Config{PaperDots: p.DotsPerLine, OutDir: paper})
	if err != nil {
		return err
	}
	defer sim.Unplug()
	d.step("máy in giả lập trên pty (printer simulator): %s", sim.Link())
	pr, err := escpos.Open("serial:"+sim.Link()+"?baud=115200", p)
	if err != nil {
		return err
	}
	defer pr.Close()
	res, err := pr.Print(ctx, job.Data)
	if err != nil {
		return err
	}
	d.step("in xong (printed): %s, %d/%d byte máy in xác nhận", res.Outcome, res.Confirmed, res.Total)
	var png string
	for deadline := time.Now().Add(5 * time.Second); png == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if rs := sim.Printer().Receipts(); len(rs) > 0 && rs[0].Path != "" {
			png = rs[0].Path
		}
	}
	if png == "" {
		return fmt.Errorf("máy in giả lập không cắt giấy (the simulated printer did not cut the receipt)")
	}
	b, err := os.ReadFile(png)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.out, "receipt.png"), b, 0o644); err != nil {
		return err
	}
	d.step("ảnh biên nhận (receipt picture): %s", filepath.Join(d.out, "receipt.png"))
	return nil
}
