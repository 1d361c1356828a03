package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/kiosk/identity"
)

func cardCommand() *command {
	return &command{
		name:    "card",
		summary: "thẻ căn cước gắn chip (CCCD) — the chip ID card",
		help: `Đầu đọc (reader): pn532:/dev/tramso/nfc[?baud=115200] | pn532-i2c:BUS[:ADDR] | pcsc[:TÊN/NAME]
Thẻ được mở bằng PACE với CAN (6 số cuối số định danh, lấy từ mã QR); BAC chỉ dùng cho thẻ không có PACE.
The card is opened with PACE and the CAN (last 6 digits of the ID, from the QR code); BAC only for cards without PACE.`,
		subs: []*command{cardReadCommand(), cardQRCommand(), cardSimulateCommand()},
	}
}

func cardReadCommand() *command {
	return &command{
		name:    "read",
		summary: "đọc và xác thực thẻ — read and verify a card",
		usage:   "--reader READER (--qr PAYLOAD | --can NNNNNN | --mrz-key DOCNO,YYMMDD,YYMMDD) [--csca DIR] [--json]",
		help: `In ra dữ liệu công dân, kết quả xác thực thụ động (valid/invalid/unverified) và xác thực chip (CA, AA).
Không có --csca: dữ liệu chưa được xác minh nguồn gốc (unverified). Nhóm dữ liệu EF.SOD liệt kê mà thẻ không
cho đọc: invalid (có thể là thẻ sao chép). Ảnh chân dung chỉ được băm để xác thực rồi bỏ, không in ra.
Thẻ bị rút giữa chừng: đặt lại và thử lại.
Prints the citizen's data, passive authentication (valid/invalid/unverified) and chip authentication (CA, AA).
A data group EF.SOD lists that the chip refuses: invalid (possibly cloned). The face is hashed, then dropped.`,
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
					return enc.Encode(res.JSON())
				}
				printIdentity(e, res.JSON())
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

func printIdentity(e *env, r identity.CardJSON) {
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
	fmt.Fprintf(e.stdout, "Xác thực chip (chip authentication): CA %s, AA %s — %s\n", r.CA, r.AA, r.ChipAuthDetail)
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
