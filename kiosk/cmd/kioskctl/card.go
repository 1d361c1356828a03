package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/pcsc/vicc"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/kiosk/identity"
)

func cardCommand() *command {
	return &command{
		name:    "card",
		summary: "thẻ căn cước gắn chip (CCCD) — the chip ID card",
		help: `Đầu đọc (reader): pn532:/dev/tramso/nfc[?baud=115200] | pn532-i2c:BUS[:ADDR] | pcsc[:TÊN/NAME]
Thẻ được mở bằng PACE với CAN (6 số cuối số định danh, lấy từ mã QR), BAC là phương án dự phòng.
The card is opened with PACE and the CAN (last 6 digits of the ID, from the QR code), BAC as fallback.`,
		subs: []*command{cardReadCommand(), cardQRCommand(), cardSimulateCommand()},
	}
}

func cardReadCommand() *command {
	return &command{
		name:    "read",
		summary: "đọc và xác thực thẻ — read and verify a card",
		usage:   "--reader READER (--qr PAYLOAD | --can NNNNNN | --mrz-key DOCNO,YYMMDD,YYMMDD) [--csca DIR] [--json]",
		help: `In ra dữ liệu công dân, kết quả xác thực thụ động (valid/invalid/unverified) và xác thực chip.
Không có --csca: dữ liệu chưa được xác minh nguồn gốc (unverified). Thẻ bị rút giữa chừng: đặt lại và thử lại.
Prints the citizen's data, passive authentication (valid/invalid/unverified) and chip authentication.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			reader := fs.String("reader", "", "đầu đọc thẻ (card reader), vd. pn532:/dev/tramso/nfc")
			qr := fs.String("qr", "", "nội dung mã QR trên thẻ (the card's QR payload)")
			can := fs.String("can", "", "CAN 6 chữ số (6-digit card access number)")
			mrzKey := fs.String("mrz-key", "", "khóa BAC: SỐ_GIẤY_TỜ,YYMMDD,YYMMDD (BAC key: docno, birth, expiry)")
			csca := fs.String("csca", "", "thư mục chứng thư CSCA tin cậy (folder of trusted CSCA certificates)")
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			timeout := fs.Duration("timeout", 30*time.Second, "thời gian chờ tối đa, gồm cả chờ đặt thẻ (overall time limit, waiting for the card included)")
			noFace := fs.Bool("no-face", false, "không đọc ảnh chân dung (skip the face image)")
			return func(ctx context.Context, e *env, args []string) error {
				if *reader == "" || len(args) > 0 {
					return usagef("cần --reader (--reader is required)")
				}
				n := 0
				for _, s := range []string{*qr, *can, *mrzKey} {
					if s != "" {
						n++
					}
				}
				if n != 1 {
					return usagef("cần đúng một trong --qr, --can, --mrz-key (exactly one of --qr, --can, --mrz-key)")
				}
				var key identity.Key
				var err error
				switch {
				case *qr != "":
					key, _, err = identity.KeyFromQR(*qr)
				case *can != "":
					key, err = identity.KeyFromCAN(*can)
				default:
					key, err = identity.KeyFromMRZ(*mrzKey)
				}
				if err != nil {
					return err
				}
				opts := identity.Options{SkipFace: *noFace}
				if *csca != "" {
					if opts.Trust, err = lds.LoadTrustStore(*csca); err != nil {
						return err
					}
				}
				ctx, cancel := context.WithTimeout(ctx, *timeout)
				defer cancel()
				rd, err := identity.OpenReader(ctx, *reader)
				if err != nil {
					return err
				}
				defer rd.Close()
				fmt.Fprintln(e.stderr, "Đặt thẻ lên đầu đọc… (place the card on the reader)")
				card, err := rd.WaitForCard(ctx)
				if err != nil {
					return cardError(err)
				}
				res, err := identity.Read(ctx, card, key, opts)
				if err != nil {
					return cardError(err)
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(res)
				}
				printIdentity(e, res)
				return nil
			}
		},
	}
}

// cardError adds what to do to reader and card errors.
func cardError(err error) error {
	switch {
	case errors.Is(err, apdu.ErrCardRemoved):
		return fmt.Errorf("%w — đặt lại thẻ và giữ yên đến khi đọc xong (put the card back and keep it still until done)", err)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, apdu.ErrTimeout):
		return fmt.Errorf("hết thời gian chờ thẻ hoặc đầu đọc (timed out waiting for the card or reader): %w", err)
	}
	return err
}

func printIdentity(e *env, r *identity.Result) {
	c := r.Citizen
	rows := [][2]string{
		{"Số định danh", c.IDNumber}, {"Họ và tên", c.FullName}, {"Ngày sinh", c.DateOfBirth}, {"Giới tính", c.Sex},
		{"Quốc tịch", c.Nationality}, {"Dân tộc", c.Ethnicity}, {"Tôn giáo", c.Religion}, {"Quê quán", c.PlaceOfOrigin},
		{"Nơi thường trú", c.PlaceOfResidence}, {"Đặc điểm nhận dạng", c.IdentifyingMarks}, {"Ngày cấp", c.IssueDate},
		{"Có giá trị đến", c.ExpiryDate}, {"Họ tên cha", c.FatherName}, {"Họ tên mẹ", c.MotherName},
		{"Họ tên vợ/chồng", c.SpouseName}, {"Số CMND cũ", c.OldIDNumber},
	}
	for _, row := range rows {
		if row[1] != "" {
			fmt.Fprintf(e.stdout, "%-20s %s\n", row[0]+":", row[1])
		}
	}
	if c.Photo != "" {
		fmt.Fprintf(e.stdout, "%-20s %s, %d byte base64\n", "Ảnh:", r.PhotoType, len(c.Photo))
	}
	fmt.Fprintf(e.stdout, "\nTruy cập (access): %s; xác thực thụ động (passive auth): %s — %s; chip: %s; %d APDU, %d byte\n",
		r.Access, r.PassiveAuth, r.PassiveAuthDetail, r.ChipAuth, r.APDUs, r.Bytes)
	for _, w := range r.Warnings {
		fmt.Fprintf(e.stdout, "cảnh báo (warning): %s\n", w)
	}
}

func cardQRCommand() *command {
	return &command{
		name:    "qr",
		summary: "phân tích mã QR trên thẻ CCCD — parse the QR code of a CCCD",
		usage:   "PAYLOAD [--json]",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			return func(ctx context.Context, e *env, args []string) error {
				// Allow the flag after the payload too: kioskctl card qr 'PAYLOAD' --json
				if len(args) == 2 && args[1] == "--json" {
					*asJSON, args = true, args[:1]
				}
				if len(args) != 1 {
					return usagef("cần đúng một PAYLOAD (exactly one PAYLOAD)")
				}
				q, err := cccd.ParseQR(args[0])
				if err != nil {
					return err
				}
				if q.Warnings == nil {
					q.Warnings = []string{}
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(q)
				}
				fmt.Fprintf(e.stdout, "Số định danh: %s\nSố CMND cũ: %s\nHọ và tên: %s\nNgày sinh: %s\nGiới tính: %s\nNơi thường trú: %s\nNgày cấp: %s\nCAN: %s\n",
					q.IDNumber, q.OldIDNumber, q.FullName, q.DateOfBirth, q.Sex, q.Address, q.IssueDate, q.CAN)
				for _, w := range q.Warnings {
					fmt.Fprintf(e.stdout, "cảnh báo (warning): %s\n", w)
				}
				return nil
			}
		},
	}
}

func cardSimulateCommand() *command {
	return &command{
		name:    "simulate",
		summary: "thẻ CCCD giả lập trên đầu đọc PN532 giả lập (pty) hoặc pcscd (vpcd) — a simulated CCCD on a simulated PN532 or on pcscd",
		usage:   "--link PATH --citizen FILE.json [--csca-out csca.pem] [--tamper dg13] [--remove-after-apdus N] [--vpcd HOST:PORT]",
		help: `Dựng chip CCCD từ tệp JSON công dân, ký EF.SOD bằng một CSCA thử nghiệm mới (--csca-out ghi CSCA ra PEM để
"card read --csca" tin cậy), và đặt thẻ lên một PN532 giả lập ở đầu kia của pty tại PATH. Lệnh trên stdin:
  remove | place | status
Builds a CCCD chip from the citizen JSON, signs it with a fresh test CSCA, and puts it on a simulated
PN532 at the far end of a pty at PATH (and/or on pcscd's vpcd virtual reader with --vpcd 127.0.0.1:35963).`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			link := fs.String("link", "", "đường dẫn liên kết tới pty của PN532 (symlink path of the PN532 pty)")
			citizen := fs.String("citizen", "", "tệp JSON công dân (citizen JSON file)")
			cscaOut := fs.String("csca-out", "", "ghi chứng thư CSCA thử nghiệm ra tệp PEM (write the test CSCA as PEM)")
			pkiDir := fs.String("pki", "", "thư mục giữ CSCA/DS thử nghiệm giữa các lần chạy (folder keeping the test PKI across runs)")
			tamper := fs.String("tamper", "", "sửa nhóm dữ liệu sau khi ký, vd. dg13 hoặc dg1,dg2 (alter data groups after signing)")
			removeAfter := fs.Int("remove-after-apdus", 0, "rút thẻ sau N APDU (card removed after N APDUs)")
			delay := fs.Duration("delay", 0, "trễ mỗi APDU (delay per APDU)")
			vpcd := fs.String("vpcd", "", "đặt thẻ lên đầu đọc ảo vpcd của pcscd, vd. 127.0.0.1:35963 (insert into pcscd's vpcd)")
			return func(ctx context.Context, e *env, args []string) error {
				if *citizen == "" || (*link == "" && *vpcd == "") || len(args) > 0 {
					return usagef("cần --citizen và --link (hoặc --vpcd) (--citizen and --link or --vpcd are required)")
				}
				var dgs []int
				for _, t := range strings.Split(*tamper, ",") {
					if t = strings.TrimSpace(strings.ToLower(t)); t == "" {
						continue
					}
					n, err := strconv.Atoi(strings.TrimPrefix(t, "dg"))
					if err != nil || !strings.HasPrefix(t, "dg") {
						return usagef("--tamper nhận dg1, dg2, dg13, dg14, dg15 (takes dg1, dg2, dg13, dg14, dg15), not %q", t)
					}
					dgs = append(dgs, n)
				}
				pki, err := cccd.NewTestPKI(*pkiDir)
				if err != nil {
					return err
				}
				if *cscaOut != "" {
					if err := pki.WriteCSCA(*cscaOut); err != nil {
						return err
					}
				}
				sc, err := identity.NewSimCard(*citizen, pki, identity.SimOptions{Tamper: dgs, Delay: *delay})
				if err != nil {
					return err
				}
				var sim *pn532sim.Simulator
				if *link != "" {
					sim, err = pn532sim.Serve(ctx, *link, pn532sim.Options{Card: sc.Chip, RemoveAfter: *removeAfter})
					if err != nil {
						return err
					}
					defer sim.Close()
					fmt.Fprintf(e.stderr, "PN532 giả lập sẵn sàng, thẻ đã đặt (simulated PN532 ready, card placed): %s\n", sim.Link())
				}
				var icc *vicc.ICC
				if *vpcd != "" {
					icc, err = vicc.Insert(ctx, *vpcd, sc.Chip, nil)
					if err != nil {
						return err
					}
					defer icc.Remove()
					fmt.Fprintf(e.stderr, "thẻ đã cắm vào vpcd (card inserted into vpcd): %s\n", *vpcd)
				}
				if *cscaOut != "" {
					fmt.Fprintf(e.stderr, "CSCA thử nghiệm (test CSCA): %s\n", *cscaOut)
				}
				cmds := make(chan string)
				go func() {
					sc := bufio.NewScanner(e.stdin)
					for sc.Scan() {
						cmds <- strings.TrimSpace(sc.Text())
					}
				}()
				for {
					select {
					case <-ctx.Done():
						return nil
					case c := <-cmds:
						switch {
						case c == "":
						case c == "remove" && sim != nil:
							sim.Remove()
							fmt.Fprintln(e.stdout, "ok: remove")
						case c == "place" && sim != nil:
							sc.Chip.Reset()
							sim.Place(sc.Chip)
							fmt.Fprintln(e.stdout, "ok: place")
						case c == "status":
							st := sc.Chip.Stats()
							fmt.Fprintf(e.stdout, "APDU: %d, Le lớn nhất (largest Le): %d\n", st.APDUs, st.MaxReadLe)
						default:
							fmt.Fprintf(e.stderr, "lệnh không biết (unknown command) %q\n", c)
						}
					}
				}
			}
		},
	}
}
