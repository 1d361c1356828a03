//go:build !nosim

package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/pcsc/vicc"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/kiosk/identity"
)

// cardSimulateCommand is "card simulate": a simulated CCCD signed by a test CSCA, on a simulated
// PN532 or on pcscd's virtual reader.
func cardSimulateCommand() *command {
	return &command{
		name:    "simulate",
		summary: "thẻ CCCD giả lập trên đầu đọc PN532 giả lập (pty) hoặc pcscd (vpcd) — a simulated CCCD on a simulated PN532 or on pcscd",
		usage:   "--link PATH --citizen FILE.json [--csca-out csca.pem] [--tamper dg13] [--hide dg15] [--no-aa] [--no-ca] [--remove-after-apdus N] [--vpcd HOST:PORT]",
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
			tamper := fs.String("tamper", "", "sửa một byte giá trị của nhóm dữ liệu sau khi ký, tệp vẫn đọc được, vd. dg13 hoặc dg1,dg2 (alter one value byte of data groups after signing; they still parse)")
			hide := fs.String("hide", "", "thẻ trả lời \"không có tệp\" cho nhóm dữ liệu dù EF.SOD liệt kê, như thẻ sao chép, vd. dg15 (answer file-not-found for data groups EF.SOD lists, like a clone)")
			noAA := fs.Bool("no-aa", false, "thẻ không có DG15 và xác thực chủ động (no DG15, no Active Authentication)")
			noCA := fs.Bool("no-ca", false, "thẻ không có DG14 và xác thực chip (no DG14, no Chip Authentication)")
			removeAfter := fs.Int("remove-after-apdus", 0, "rút thẻ sau N APDU (card removed after N APDUs)")
			delay := fs.Duration("delay", 0, "trễ mỗi APDU (delay per APDU)")
			vpcd := fs.String("vpcd", "", "đặt thẻ lên đầu đọc ảo vpcd của pcscd, vd. 127.0.0.1:35963 (insert into pcscd's vpcd)")
			return func(ctx context.Context, e *env, args []string) error {
				if *citizen == "" || (*link == "" && *vpcd == "") || len(args) > 0 {
					return usagef("cần --citizen và --link (hoặc --vpcd) (--citizen and --link or --vpcd are required)")
				}
				dgs, err := dgList("--tamper", *tamper)
				if err != nil {
					return err
				}
				hidden, err := dgList("--hide", *hide)
				if err != nil {
					return err
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
				sc, err := identity.NewSimCard(*citizen, pki, identity.SimOptions{Tamper: dgs, Hide: hidden, NoAA: *noAA, NoCA: *noCA, Delay: *delay})
				if err != nil {
					return err
				}
				var sim *pn532sim.Simulator
				if *link != "" {
					sim, err = pn532sim.Serve(ctx, *link, pn532sim.Config{Card: sc.Chip, RemoveAfter: *removeAfter})
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

// dgList parses a list of data groups such as "dg1,dg13" for flag.
func dgList(flag, list string) ([]int, error) {
	var dgs []int
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimSpace(strings.ToLower(t)); t == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(t, "dg"))
		if err != nil || !strings.HasPrefix(t, "dg") || !slices.Contains([]int{1, 2, 13, 14, 15}, n) {
			return nil, usagef("%s nhận dg1, dg2, dg13, dg14, dg15 (takes dg1, dg2, dg13, dg14, dg15), not %q", flag, t)
		}
		dgs = append(dgs, n)
	}
	return dgs, nil
}
