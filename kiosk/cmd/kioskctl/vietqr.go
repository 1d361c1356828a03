package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/kiosk/vietqr"
)

func vietqrCommand() *command {
	return &command{
		name:    "vietqr",
		summary: "tạo mã VietQR thu phí cho một hồ sơ — make the VietQR code of a dossier's fee",
		usage:   "--bin BIN --account ACC --amount VND --ref CODE [--purpose TEXT] [--png FILE]",
		help: `In ra một dòng: mã VietQR động (NAPAS 247, EMVCo, dịch vụ QRIBFTTA) chuyển khoản số tiền --amount
(đồng) vào tài khoản --account của ngân hàng có mã BIN --bin, nội dung tham chiếu là mã hồ sơ --ref.
--purpose được bỏ dấu (đ → d) và cắt còn 25 ký tự. --png ghi thêm ảnh mã QR.
Prints one line: the dynamic VietQR payload (NAPAS 247, EMVCo, service QRIBFTTA) for a transfer of
--amount đồng to --account at the bank with BIN --bin, referenced by the dossier code --ref.
--purpose is folded to ASCII (đ → d) and cut to 25 characters. --png also writes the QR image.
Thoát (exit): 0 xong (done), 2 dữ liệu sai (bad input), 1 không ghi được ảnh (PNG not written).`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			bin := fs.String("bin", "", "mã BIN 6 chữ số của ngân hàng nhận (receiving bank's 6-digit BIN)")
			account := fs.String("account", "", "số tài khoản nhận, 1–19 chữ số hoặc chữ cái (receiving account)")
			amount := fs.String("amount", "", "số tiền, đồng, số nguyên dương (amount in đồng, positive integer)")
			ref := fs.String("ref", "", "mã hồ sơ, ASCII, tối đa 25 ký tự (dossier code, ASCII, ≤ 25 characters)")
			purpose := fs.String("purpose", "", "nội dung chuyển khoản (transfer note)")
			png := fs.String("png", "", "ghi ảnh PNG của mã QR vào tệp này (write the QR code as a PNG here)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("thừa tham số %q (unexpected argument)", args[0])
				}
				for _, f := range []struct{ name, v string }{{"--bin", *bin}, {"--account", *account}, {"--amount", *amount}, {"--ref", *ref}} {
					if f.v == "" {
						return usagef("cần %s (%s is required)", f.name, f.name)
					}
				}
				n, err := strconv.ParseInt(strings.TrimSpace(*amount), 10, 64)
				if err != nil || n <= 0 || strings.ContainsAny(*amount, "+-") {
					return usagef("--amount phải là số nguyên dương, tính bằng đồng, không dấu chấm (--amount must be a positive whole number of đồng, no separators)")
				}
				payload, err := vietqr.Build(vietqr.Payment{BIN: *bin, Account: *account, Amount: n, Reference: *ref, Purpose: *purpose})
				if errors.Is(err, vietqr.ErrInvalid) {
					return usagef("%v", err)
				}
				if err != nil {
					return err
				}
				if *png != "" {
					img, err := qrcode.Encode(payload, qrcode.Medium, 512)
					if err != nil {
						return fmt.Errorf("không vẽ được mã QR (cannot draw the QR code): %w", err)
					}
					if err := atomicfile.Write(*png, img, 0o644); err != nil {
						return fmt.Errorf("không ghi được ảnh %s (cannot write the PNG): %w", *png, err)
					}
				}
				_, err = fmt.Fprintln(e.stdout, payload)
				return err
			}
		},
	}
}
