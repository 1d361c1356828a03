package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
)

const defaultSocket = "/run/tramso/kiosk.sock"
const defaultConfig = "/etc/tramso/kiosk.toml"

func statusCommand() *command {
	return &command{
		name:    "status",
		summary: "trạng thái kiosk: thiết bị, hàng đợi gửi — kiosk status: devices, outbox",
		usage:   "[--socket PATH] [--json]",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			socket := fs.String("socket", defaultSocket, "ổ cắm của kioskd (kioskd socket)")
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			return func(ctx context.Context, e *env, args []string) error {
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				defer cancel()
				h, err := client.New(*socket).Health(ctx)
				if err != nil {
					return fmt.Errorf("%w — kiểm tra: systemctl status kioskd (check: systemctl status kioskd)", err)
				}
				if *asJSON {
					return json.NewEncoder(e.stdout).Encode(h)
				}
				return writeStatus(e.stdout, h)
			}
		},
	}
}

func provisionCommand() *command {
	return &command{
		name:    "provision",
		summary: "cấp phép kiosk: khóa thiết bị, đăng ký với hệ thống trung tâm, ghi cấu hình — provision the kiosk",
		usage:   "--central URL --token TOKEN --unit AGENCY_CODE --kiosk-id ID [--unit-name NAME] [--ca ca.pem] [--config FILE] [--state-dir DIR] [--journal-url URL] [--metrics-remote-write URL]",
		help: `Tạo khóa thiết bị (ECDSA P-256) và khóa lưu trữ, gửi yêu cầu chứng thư (CSR) kèm mã cấp phép một lần,
nhận chứng thư máy khách mTLS, lưu CA của máy chủ và ghi tệp cấu hình. Khóa và chứng thư không bao giờ
nằm trong ảnh hệ điều hành. Chạy lại được: khóa đã có được giữ nguyên.
Generates the device and storage keys, enrols with a CSR and the one-time token, stores the client
certificate and the server's CA, and writes the configuration file. Safe to run again.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			centralURL := fs.String("central", "", "địa chỉ API trung tâm (central API URL)")
			token := fs.String("token", "", "mã cấp phép một lần (one-time provisioning token)")
			unit := fs.String("unit", "", "mã định danh đơn vị tiếp nhận, vd. 000.00.21.H26 (receiving unit's agency code)")
			unitName := fs.String("unit-name", "", "tên đơn vị tiếp nhận (receiving unit's name)")
			kioskID := fs.String("kiosk-id", "", "mã kiosk, vd. HN-OCD-02 (kiosk id)")
			caFile := fs.String("ca", "", "CA của máy chủ trung tâm, PEM (the central server's CA); bỏ trống chỉ với máy chủ thử trên máy này (empty only for a loopback development server)")
			cfgPath := fs.String("config", defaultConfig, "tệp cấu hình ghi ra (configuration file to write)")
			stateDir := fs.String("state-dir", "/var/lib/tramso", "thư mục dữ liệu (state folder)")
			journalURL := fs.String("journal-url", "", "systemd-journal-remote của tỉnh nhận nhật ký, vd. https://logs.tinh.example:19532 (the province's journal-remote)")
			remoteWrite := fs.String("metrics-remote-write", "", "điểm remote-write Prometheus của tỉnh (the province's Prometheus remote-write URL)")
			return func(ctx context.Context, e *env, args []string) error {
				if *centralURL == "" || *token == "" || *unit == "" || *kioskID == "" || len(args) > 0 {
					return usagef("cần --central, --token, --unit và --kiosk-id (--central, --token, --unit and --kiosk-id are required)")
				}
				if !dossier.ValidAgencyCode(*unit) {
					return usagef("--unit %q không phải mã định danh cơ quan dạng 000.00.21.H26 (not an agency code)", *unit)
				}
				if *unitName == "" {
					*unitName = "Đơn vị " + *unit
				}
				cfg, err := config.Parse(config.Example())
				if err != nil {
					return err
				}
				cfg.Kiosk.ID, cfg.Kiosk.UnitCode, cfg.Kiosk.UnitName = *kioskID, *unit, *unitName
				cfg.Central.URL = *centralURL
				cfg.Paths.StateDir = *stateDir
				cfg.Central.TLSDir = filepath.Join(*stateDir, "tls")
				cfg.Logs.JournalURL, cfg.Metrics.RemoteWriteURL = *journalURL, *remoteWrite
				if err := cfg.Validate(); err != nil {
					return err
				}
				if *journalURL != "" && *caFile == "" {
					return usagef("--journal-url cần --ca: nhật ký chỉ gửi tới máy chủ có chứng thư do CA đã ghim cấp (--journal-url needs --ca, the CA the log server's certificate must come from)")
				}
				var caPEM []byte
				if *caFile != "" {
					if caPEM, err = os.ReadFile(*caFile); err != nil {
						return fmt.Errorf("không đọc được CA (cannot read the CA): %w", err)
					}
				}
				ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				defer cancel()
				store, err := outbox.Open(ctx, filepath.Join(*stateDir, "outbox"), outbox.Options{KioskID: *kioskID})
				if err != nil {
					return err
				}
				defer store.Close()
				fmt.Fprintf(e.stdout, "• khóa thiết bị sẵn sàng (device key ready), kiosk %s\n", store.KioskID())
				c, err := outbox.Connect(ctx, store, *centralURL, caPEM, central.Options{EnrolToken: *token})
				if err != nil {
					// Connect's sentence names the cause; one only when it has none.
					if len(errtext.Sentences(err.Error())) > 0 {
						return fmt.Errorf("enrolment failed: %w", err)
					}
					return fmt.Errorf("đăng ký với hệ thống trung tâm thất bại (enrolment failed): %w", err)
				}
				c.Close()
				fmt.Fprintln(e.stdout, "• đã đăng ký với hệ thống trung tâm (enrolled with the central system)")
				if err := os.MkdirAll(cfg.Central.TLSDir, 0o700); err != nil {
					return err
				}
				if caPEM != nil {
					if err := atomicfile.Write(filepath.Join(cfg.Central.TLSDir, "ca.pem"), caPEM, 0o644); err != nil {
						return err
					}
				}
				b, err := config.Marshal(cfg)
				if err != nil {
					return err
				}
				if err := os.MkdirAll(filepath.Dir(*cfgPath), 0o755); err != nil {
					return err
				}
				if err := atomicfile.Write(*cfgPath, b, 0o640); err != nil {
					return err
				}
				if err := giveToService(*stateDir, *cfgPath); err != nil {
					return err
				}
				if err := provisionFleet(ctx, e, cfg); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "• đã ghi cấu hình (configuration written): %s\n  Tiếp theo (next): kioskctl staff set-pin; kioskctl staff set-pin --technician; kioskctl selftest; systemctl restart kioskd\n", *cfgPath)
				return nil
			}
		},
	}
}

// giveToService hands what provision wrote to kioskd's service account when it exists (the Debian
// package creates user tramso and group tramso-api): the state folder to tramso:tramso-api, the
// config readable by group tramso-api. Run as root on a kiosk; elsewhere (development) it does
// nothing.
func giveToService(stateDir, cfgPath string) error {
	u, err := user.Lookup("tramso")
	if err != nil || os.Geteuid() != 0 {
		return nil
	}
	g, err := user.LookupGroup("tramso-api")
	if err != nil {
		return nil
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(g.Gid)
	return chownState(stateDir, cfgPath, uid, gid)
}

// chownState gives the state folder to uid:gid and the config file to root:gid.
func chownState(stateDir, cfgPath string, uid, gid int) error {
	err := filepath.WalkDir(stateDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
	if err != nil {
		return fmt.Errorf("không giao được %s cho tài khoản tramso (cannot hand the state to user tramso): %w", stateDir, err)
	}
	if err := os.Chown(cfgPath, os.Geteuid(), gid); err != nil {
		return fmt.Errorf("không đặt được nhóm cho %s (cannot set the config's group): %w", cfgPath, err)
	}
	return nil
}

// redact hides what could be personal data in text that leaves the kiosk: ID and phone numbers
// (runs of 9 or more digits) and QR payloads of ID cards (fields separated by |).
func redact(s string) string {
	s = longDigits.ReplaceAllString(s, "[số đã che]")
	return qrLike.ReplaceAllString(s, "[mã QR đã che]")
}

var (
	longDigits = regexp.MustCompile(`\d[\d .-]{7,}\d`)
	qrLike     = regexp.MustCompile(`[^\s|]*\|[^\n]*\|[^\n]*`)
)

func logsCommand() *command {
	return &command{
		name:    "logs",
		summary: "nhật ký và gói hỗ trợ — logs and support bundles",
		subs: []*command{{
			name:    "bundle",
			summary: "gói hỗ trợ đã che dữ liệu cá nhân — a support bundle with personal data redacted",
			usage:   "--out FILE.tar.gz [--since 24h] [--socket PATH] [--config FILE]",
			help: `Gom trạng thái kiosk, danh sách hàng đợi (không có dữ liệu cá nhân), cấu hình (bỏ mã băm PIN), nhật ký
kioskd/kiosk-ui của journald, phiên bản và thiết bị; mọi dãy số dài và mã QR đều được che.
Collects status, the outbox list, the configuration without the PIN hash, the journal of kioskd and
kiosk-ui, versions and devices; long digit runs and QR payloads are masked.`,
			flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
				out := fs.String("out", "", "tệp gói hỗ trợ .tar.gz (bundle file)")
				since := fs.Duration("since", 24*time.Hour, "nhật ký trong khoảng này (journal window)")
				socket := fs.String("socket", defaultSocket, "ổ cắm của kioskd (kioskd socket)")
				cfgPath := fs.String("config", defaultConfig, "tệp cấu hình (configuration file)")
				return func(ctx context.Context, e *env, args []string) error {
					if *out == "" || len(args) > 0 {
						return usagef("cần --out (--out is required)")
					}
					files := map[string][]byte{}
					ctx, cancel := context.WithTimeout(ctx, time.Minute)
					defer cancel()
					if h, err := client.New(*socket).Health(ctx); err == nil {
						files["status.json"], _ = json.MarshalIndent(h, "", "  ")
					} else {
						files["status.txt"] = []byte(err.Error())
					}
					if cfg, err := config.Load(*cfgPath); err == nil {
						cfg.Staff.PINHash = ""
						files["kiosk.toml"], _ = config.Marshal(cfg)
						if s, err := outbox.Open(ctx, filepath.Join(cfg.Paths.StateDir, "outbox"), outbox.Options{}); err == nil {
							list, _ := s.List(ctx)
							files["outbox.json"], _ = json.MarshalIndent(list, "", "  ")
							s.Close()
						}
					} else {
						files["config-error.txt"] = []byte(err.Error())
					}
					if j, err := exec.CommandContext(ctx, "journalctl", "--no-pager", "-u", "kioskd", "-u", "kiosk-ui",
						"--since", fmt.Sprintf("-%ds", int(since.Seconds()))).Output(); err == nil {
						files["journal.txt"] = j
					}
					devs, _ := filepath.Glob("/dev/tramso/*")
					files["versions.txt"] = []byte(fmt.Sprintf("go %s %s/%s\ndevices: %v\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, devs))
					if err := writeBundle(*out, files); err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "gói hỗ trợ (support bundle): %s (%d tệp/files)\n", *out, len(files))
					return nil
				}
			},
		}},
	}
}

func writeBundle(path string, files map[string][]byte) error {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b := []byte(redact(string(files[n])))
		if err := tw.WriteHeader(&tar.Header{Name: "tramso-support/" + n, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return atomicfile.Write(path, buf.Bytes(), 0o600)
}

// writeStatus prints a status map as a two-column table, one line per key in name order.
func writeStatus(w io.Writer, h map[string]any) error {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%v\n", k, h[k])
	}
	return tw.Flush()
}
