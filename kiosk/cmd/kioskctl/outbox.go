package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
)

// envCrashAt names a crash point of the outbox (see outbox.Options.CrashAt) at which the process
// kills itself: for power-loss tests only.
const envCrashAt = "TRAMSO_OUTBOX_CRASH_AT"

func outboxCommand() *command {
	return &command{
		name:    "outbox",
		summary: "hàng đợi hồ sơ gửi lên hệ thống trung tâm — the dossier outbox",
		help: `Hồ sơ được lưu bền vững (SQLite, tệp mã hóa) rồi gửi lên hệ thống một cửa của tỉnh đúng một lần.
Dossiers are stored durably (SQLite, encrypted files) and delivered to the provincial system exactly once.`,
		subs: []*command{outboxAddCommand(), outboxListCommand(), outboxShowCommand(), outboxDrainCommand(),
			outboxRetryCommand(), outboxPurgeCommand(), outboxSalvageCommand()},
	}
}

// parseInterspersed parses flags that may follow positional arguments (e.g. `retry 3 --data DIR`).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func openStore(ctx context.Context, dir string) (*outbox.Store, error) {
	if dir == "" {
		return nil, usagef("cần --data (--data is required)")
	}
	return outbox.Open(ctx, dir, outbox.Options{CrashAt: os.Getenv(envCrashAt)})
}

func outboxAddCommand() *command {
	return &command{
		name:    "add",
		summary: "lưu một hồ sơ vào hàng đợi — store a dossier in the outbox",
		usage:   "--data DIR DOSSIER.json",
		help: `DOSSIER.json: {"procedure":{"code","name"},"unit":{"code","name"},"applicant":{"idNumber","fullName",
"dateOfBirth","phone"},"fields":{…},"attachments":[{"type","name","path"}]}; đường dẫn tệp tương đối, nằm
trong thư mục của tệp JSON, mỗi tệp là một PDF đọc được (attachment paths relative to, and inside, the JSON
file's folder, each a readable PDF). Tùy chọn (optional):
"consent", "requiredDocuments":[{"type","name","optional"}].`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			data := fs.String("data", "", "thư mục dữ liệu hàng đợi (outbox data directory)")
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			return func(ctx context.Context, e *env, args []string) error {
				args, err := parseInterspersed(fs, args)
				if err != nil {
					return usagef("%v", err)
				}
				if len(args) != 1 {
					return usagef("cần đúng một tệp hồ sơ JSON (exactly one dossier JSON file expected)")
				}
				raw, err := os.ReadFile(args[0])
				if err != nil {
					return fmt.Errorf("không đọc được tệp hồ sơ (cannot read dossier file): %w", err)
				}
				in, err := dossier.DecodeInput(raw)
				if err != nil {
					return err
				}
				root, err := os.OpenRoot(filepath.Dir(args[0]))
				if err != nil {
					return fmt.Errorf("không mở được thư mục hồ sơ (cannot open the dossier's folder): %w", err)
				}
				defer root.Close()
				var files []outbox.File
				for i, a := range in.Attachments {
					b, err := readAttachment(root, a.Path, i+1)
					if err != nil {
						return err
					}
					pages, err := dossier.CheckPDF(b)
					if err != nil {
						return fmt.Errorf("giấy tờ %d (attachment %d) %q: %w", i+1, i+1, a.Path, err)
					}
					files = append(files, outbox.File{Type: a.Type, Name: a.Name, Data: b, Pages: pages})
				}
				d := &dossier.Dossier{Procedure: in.Procedure, Unit: in.Unit, Applicant: in.Applicant, Fields: in.Fields}
				if d.Applicant.PassiveAuth == "" {
					d.Applicant.PassiveAuth = wire.PassiveUnverified
				}
				if in.Consent != nil {
					d.Consent = *in.Consent
				}
				s, err := openStore(ctx, *data)
				if err != nil {
					return err
				}
				defer s.Close()
				ent, err := s.Capture(ctx, d, files, in.RequiredDocuments)
				if err != nil {
					return err
				}
				if *asJSON {
					return json.NewEncoder(e.stdout).Encode(ent)
				}
				fmt.Fprintf(e.stdout, "đã lưu hồ sơ (dossier stored): id %d, số biên nhận (receipt) %s, trạng thái (state) %s\n", ent.ID, ent.ReceiptNo, ent.State)
				return nil
			}
		},
	}
}

// readAttachment reads attachment n at path rel inside root, the dossier JSON's folder: an absolute
// path, a ".." escape or a symbolic link leading out of the folder is refused.
func readAttachment(root *os.Root, rel string, n int) ([]byte, error) {
	switch {
	case filepath.IsAbs(rel):
		return nil, fmt.Errorf("giấy tờ %d: không chấp nhận đường dẫn tuyệt đối %q, hãy đặt tệp cạnh tệp hồ sơ (attachment %d: absolute path refused, put the file beside the dossier file)", n, rel, n)
	case !filepath.IsLocal(rel):
		return nil, fmt.Errorf("giấy tờ %d: đường dẫn %q ra ngoài thư mục của tệp hồ sơ (attachment %d: path leaves the dossier file's folder)", n, rel, n)
	}
	b, err := root.ReadFile(rel)
	if err == nil {
		return b, nil
	}
	if _, lerr := os.Lstat(filepath.Join(root.Name(), rel)); lerr == nil {
		if _, serr := os.Stat(filepath.Join(root.Name(), rel)); serr == nil {
			return nil, fmt.Errorf("giấy tờ %d: %q dẫn ra ngoài thư mục của tệp hồ sơ qua liên kết tượng trưng (attachment %d: a symbolic link leads out of the dossier file's folder)", n, rel, n)
		}
	}
	return nil, fmt.Errorf("không đọc được giấy tờ %d (cannot read attachment %d): %w", n, n, err)
}

func outboxListCommand() *command {
	return &command{
		name:    "list",
		summary: "liệt kê hồ sơ trong hàng đợi — list the outbox",
		usage:   "--data DIR [--state STATE] [--json]",
		help: `Trạng thái (states): captured, queued, uploading, accepted, rejected, needs-staff (tệp lưu bị mất hoặc
hỏng, cần nhân viên xử lý — stored files missing or damaged, staff action needed).`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			data := fs.String("data", "", "thư mục dữ liệu hàng đợi (outbox data directory)")
			state := fs.String("state", "", "chỉ hồ sơ ở trạng thái này (only this state)")
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("thừa tham số %q (unexpected argument)", args[0])
				}
				s, err := openStore(ctx, *data)
				if err != nil {
					return err
				}
				defer s.Close()
				var states []string
				if *state != "" {
					states = append(states, *state)
				}
				list, err := s.List(ctx, states...)
				if err != nil {
					return err
				}
				if *asJSON {
					return json.NewEncoder(e.stdout).Encode(list)
				}
				tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tSỐ BIÊN NHẬN/RECEIPT\tTRẠNG THÁI/STATE\tMÃ HỒ SƠ/CODE\tTÌNH TRẠNG/STATUS\tLẦN THỬ/TRIES\tLỖI/ERROR")
				for _, en := range list {
					msg := en.LastError
					if en.State == outbox.StateRejected || en.State == outbox.StateNeedsStaff {
						msg = en.Reason
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", en.ID, en.ReceiptNo, en.State, en.DossierCode, en.CentralStatus, en.Attempts, msg)
				}
				return tw.Flush()
			}
		},
	}
}

// outboxIDCommand is a command that acts on one dossier of an outbox: ID --data DIR.
func outboxIDCommand(name, summary string, act func(ctx context.Context, e *env, s *outbox.Store, id int64) error) *command {
	return &command{
		name:    name,
		summary: summary,
		usage:   "ID --data DIR",
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			data := fs.String("data", "", "thư mục dữ liệu hàng đợi (outbox data directory)")
			return func(ctx context.Context, e *env, args []string) error {
				id, err := idArg(fs, &args)
				if err != nil {
					return err
				}
				s, err := openStore(ctx, *data)
				if err != nil {
					return err
				}
				defer s.Close()
				return act(ctx, e, s, id)
			}
		},
	}
}

func outboxShowCommand() *command {
	return outboxIDCommand("show", "xem một hồ sơ và lịch sử trạng thái — show one dossier and its audit trail",
		func(ctx context.Context, e *env, s *outbox.Store, id int64) error {
			ent, err := s.Get(ctx, id)
			if err != nil {
				return err
			}
			audit, err := s.Audit(ctx, id)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(struct {
				outbox.Entry
				Audit []outbox.AuditRecord `json:"audit"`
			}{ent, audit})
		})
}

func idArg(fs *flag.FlagSet, args *[]string) (int64, error) {
	pos, err := parseInterspersed(fs, *args)
	if err != nil {
		return 0, usagef("%v", err)
	}
	if len(pos) != 1 {
		return 0, usagef("cần đúng một ID hồ sơ (exactly one dossier ID expected)")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("ID hồ sơ phải là số dương (dossier ID must be a positive number): %q", pos[0])
	}
	return id, nil
}

func outboxRetryCommand() *command {
	return outboxIDCommand("retry", "gửi lại hồ sơ bị từ chối, cần xử lý hoặc đang chờ — retry a rejected, flagged or waiting dossier",
		func(ctx context.Context, e *env, s *outbox.Store, id int64) error {
			if err := s.Retry(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "hồ sơ %d đã vào lại hàng đợi (dossier %d queued again)\n", id, id)
			return nil
		})
}

func outboxDrainCommand() *command {
	return &command{
		name:    "drain",
		summary: "gửi hồ sơ lên hệ thống trung tâm — deliver the outbox to the central system",
		usage:   "--data DIR --central URL [--until-empty] [--tls-dir DIR]",
		help: `Chạy bộ gửi ở tiền cảnh: tải tệp có thể tiếp tục, thử lại với thời gian chờ tăng dần, đồng bộ trạng thái.
Runs the uploader in the foreground: resumable uploads, retries with backoff, status sync.
--tls-dir DIR: thư mục chứa ca.pem (CA được ghim của máy chủ); kiosk tự đăng ký lấy chứng thư lần đầu
(directory holding ca.pem, the pinned server CA; the kiosk enrols for its client certificate the first time).`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			data := fs.String("data", "", "thư mục dữ liệu hàng đợi (outbox data directory)")
			url := fs.String("central", "", "địa chỉ máy chủ trung tâm (central server URL)")
			until := fs.Bool("until-empty", false, "dừng khi hết hồ sơ cần gửi (stop when nothing is left)")
			tlsDir := fs.String("tls-dir", "", "thư mục có ca.pem của máy chủ (directory with the server's ca.pem)")
			timeout := fs.Duration("timeout", 0, "thời gian tối đa, 0 = không giới hạn (overall limit, 0 = none)")
			reqTimeout := fs.Duration("request-timeout", central.DefaultRequestTimeout, "thời gian tối đa mỗi yêu cầu (per-request limit)")
			maxDelay := fs.Duration("max-delay", 5*time.Minute, "thời gian chờ tối đa giữa hai lần thử (backoff cap)")
			chunk := fs.Int64("chunk-size", central.DefaultChunkSize, "kích thước mỗi phần tải lên, byte (upload chunk size, bytes)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("thừa tham số %q (unexpected argument)", args[0])
				}
				if *url == "" {
					return usagef("cần --central (--central is required)")
				}
				if *timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, *timeout)
					defer cancel()
				}
				s, err := openStore(ctx, *data)
				if err != nil {
					return err
				}
				defer s.Close()
				var caPEM []byte
				if *tlsDir != "" {
					if caPEM, err = outbox.ReadPinnedCA(filepath.Join(*tlsDir, "ca.pem") /* devserver.CAFile: the pinned CA */); err != nil {
						return err
					}
				}
				c, err := outbox.Connect(ctx, s, *url, caPEM, central.Options{RequestTimeout: *reqTimeout, ChunkSize: *chunk})
				if err != nil {
					return err
				}
				defer c.Close()
				log := slog.New(slog.NewTextHandler(e.stderr, nil))
				u := outbox.NewUploader(s, c, outbox.UploaderOptions{UntilEmpty: *until, MaxDelay: *maxDelay, Logger: log})
				if err := u.Run(ctx); err != nil {
					if ctx.Err() != nil && !*until {
						return nil // stopped by a signal: a normal end for a foreground run
					}
					return err
				}
				n, _ := s.Pending(ctx)
				fmt.Fprintf(e.stdout, "xong; còn %d hồ sơ chờ gửi (done; %d dossiers pending)\n", n, n)
				return nil
			}
		},
	}
}

func outboxSalvageCommand() *command {
	return &command{
		name:    "salvage",
		summary: "phục hồi hồ sơ từ cơ sở dữ liệu hỏng — recover dossiers from a damaged database",
		usage:   "--data DIR [--out DIR] [--json]",
		help: `Đọc những gì còn đọc được của cơ sở dữ liệu hỏng (outbox.db không qua kiểm tra toàn vẹn, hoặc tệp
outbox.db.damaged-… kioskd đã để riêng; tệp hỏng được giữ lại, không bao giờ bị xóa) và giải mã bằng khóa lưu
trữ. Không có --out: đưa hồ sơ vào kho mới trong --data (giữ số biên nhận, trạng thái, mã hồ sơ) rồi niêm
phong lại kho; số biên nhận tiếp tục sau số lớn nhất đã cấp. Có --out: xuất từng hồ sơ đã giải mã vào thư
mục đó (chỉ chủ sở hữu đọc được), kho không đổi. Dừng kioskd trước khi chạy.
Reads what is readable of a damaged database (outbox.db failing its integrity check, or the
outbox.db.damaged-… file kioskd set aside; the damaged file is kept, never deleted) and decrypts it with
the storage key. Without --out: puts the dossiers into a fresh store in --data (keeping receipt numbers,
states, dossier codes) and reseals the store; receipt numbers go on after the highest ever issued. With
--out: exports each dossier decrypted into that folder (owner-only), leaving the store as it is. Stop
kioskd first.`,
		flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
			data := fs.String("data", "", "thư mục dữ liệu hàng đợi (outbox data directory)")
			out := fs.String("out", "", "thư mục xuất hồ sơ đã giải mã (folder to export the decrypted dossiers to)")
			asJSON := fs.Bool("json", false, "in ra JSON (print JSON)")
			return func(ctx context.Context, e *env, args []string) error {
				if *data == "" {
					return usagef("cần --data (--data is required)")
				}
				if len(args) > 0 {
					return usagef("thừa đối số %q (unexpected argument)", args[0])
				}
				rep, err := outbox.Salvage(ctx, *data, *out, outbox.Options{})
				if err != nil {
					return err
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				src := rep.Source
				if src == "" {
					src = "không có cơ sở dữ liệu hỏng (no damaged database)"
				}
				fmt.Fprintf(e.stdout, "nguồn (source): %s\nđích (into): %s\n", src, rep.Into)
				fmt.Fprintf(e.stdout, "đã phục hồi %d/%d hồ sơ, %d tệp đính kèm đọc được, %d tệp mất hoặc hỏng (recovered %d of %d dossiers, %d attachments readable, %d missing or damaged)\n",
					rep.Recovered, rep.Rows, rep.Attachments, rep.AttachmentsBad, rep.Recovered, rep.Rows, rep.Attachments, rep.AttachmentsBad)
				for _, r := range rep.Unreadable {
					fmt.Fprintf(e.stdout, "không phục hồi được (not recovered): %s\n", r)
				}
				return nil
			}
		},
	}
}
