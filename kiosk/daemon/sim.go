//go:build !nosim

package daemon

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/drivers/codereader/codereadersim"
	"github.com/tramso/tramso/drivers/escpos/escpossim"
	"github.com/tramso/tramso/drivers/mrtd/lds"
	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/drivers/scanner/esclsim"
	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/api"
	"github.com/tramso/tramso/kiosk/central/devserver"
	"github.com/tramso/tramso/kiosk/config"
	"github.com/tramso/tramso/kiosk/identity"
)

// SimStaffPINFile is the file in the simulation folder that holds the simulated kiosk's staff PIN.
const SimStaffPINFile = "staff-pin"

// simStaffPIN is a random six-digit PIN.
func simStaffPIN() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// simCitizens are fictional citizens whose simulated cards the simulated kiosk can take.
//
//go:embed simdata
var simCitizens embed.FS

// Sim is the simulated hardware of `kioskd --sim`: a receipt printer, a PN532 card reader, a serial
// QR scanner and an eSCL document scanner, each at the far end of a real transport (pseudo-terminals,
// loopback HTTP) speaking the device's protocol, and a central development server on loopback.
// Only the far ends are simulated: kioskd drives them with its production drivers.
type Sim struct {
	Dir     string
	Printer *escpossim.Simulator
	Reader  *pn532sim.Simulator
	QR      *codereadersim.Simulator
	Scanner *esclsim.Server
	Central *devserver.Server

	pki       *cccd.TestPKI
	offline   atomic.Bool
	cards     map[string]*identity.SimCard
	enclosure *simEnclosure
}

// StartSim starts every simulator under dir and returns the configuration that points kioskd's
// drivers at them.
func StartSim(ctx context.Context, dir string) (*Sim, *config.Config, error) {
	s := &Sim{Dir: dir, cards: map[string]*identity.SimCard{}}
	fail := func(err error) (*Sim, *config.Config, error) { s.Close(); return nil, nil, err }
	for _, sub := range []string{"dev", "paper", "sheets", "feeder", "central", "citizens", "state", "csca"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return fail(err)
		}
	}
	var err error
	if s.pki, err = cccd.NewTestPKI(filepath.Join(dir, "pki")); err != nil {
		return fail(err)
	}
	if err := s.pki.WriteCSCA(filepath.Join(dir, "csca", "csca.pem")); err != nil {
		return fail(err)
	}
	// The citizens' cards.
	entries, _ := simCitizens.ReadDir("simdata")
	for _, e := range entries {
		b, _ := simCitizens.ReadFile("simdata/" + e.Name())
		if err := os.WriteFile(filepath.Join(dir, "citizens", e.Name()), b, 0o600); err != nil {
			return fail(err)
		}
	}
	if s.Printer, err = escpossim.Serve(ctx, filepath.Join(dir, "dev", "printer"),
		escpossim.Config{PaperDots: escpossim.Paper80mm, OutDir: filepath.Join(dir, "paper")}); err != nil {
		return fail(err)
	}
	if s.Reader, err = pn532sim.Serve(ctx, filepath.Join(dir, "dev", "nfc"), pn532sim.Config{}); err != nil {
		return fail(err)
	}
	if s.QR, err = codereadersim.Serve(ctx, filepath.Join(dir, "dev", "qr"), codereadersim.Config{}); err != nil {
		return fail(err)
	}
	if err := writeSampleSheets(filepath.Join(dir, "sheets")); err != nil {
		return fail(err)
	}
	if err := s.Load(1); err != nil {
		return fail(err)
	}
	if s.Scanner, err = esclsim.Serve(ctx, "127.0.0.1:0", esclsim.Config{PagesDir: filepath.Join(dir, "feeder")}); err != nil {
		return fail(err)
	}
	// The province's system dates dossier codes in Vietnam time.
	vn := vntime.Zone()
	if s.Central, err = devserver.Serve(ctx, "127.0.0.1:0", devserver.Config{Dir: filepath.Join(dir, "central"),
		Faults: s.centralFault, Now: func() time.Time { return time.Now().In(vn) }}); err != nil {
		return fail(err)
	}

	cfg := config.Default()
	cfg.Kiosk = config.Kiosk{ID: "SIM-01", UnitCode: "000.00.21.H26", UnitName: "Ủy ban nhân dân phường Ô Chợ Dừa (giả lập)",
		LookupURL: "https://dichvucong.example.vn/tra-cuu?ma={code}", Hotline: "1900 0000", TimeZone: "Asia/Ho_Chi_Minh"}
	cfg.Paths = config.Paths{StateDir: filepath.Join(dir, "state"), Socket: filepath.Join(dir, "kiosk.sock"), CSCADir: filepath.Join(dir, "csca")}
	cfg.Devices.Printer = "serial:" + s.Printer.Link() + "?baud=115200"
	cfg.Devices.CardReader = "pn532:" + s.Reader.Link()
	cfg.Devices.QRScanner = "serial:" + s.QR.Link() + "?baud=9600"
	cfg.Devices.Scanner = "escl:" + s.Scanner.URL()
	cfg.Devices.ScanResolution = 200
	cfg.Devices.ScanSource = "adf" // the citizen loads each document into the feeder (POST /v1/sim/scanner {"load": n})
	cfg.Central.URL = s.Central.URL()
	// Several simulated kiosks may run on one machine: /metrics only where asked (kioskd --metrics-listen).
	cfg.Metrics.Listen = ""
	// The simulated kiosk's staff and technician PINs: random, in DIR/staff-pin and
	// DIR/technician-pin for whoever runs the simulation (the staff screens: "Dành cho cán bộ" on
	// the attract screen); their hashes in the secrets file, as on a kiosk.
	if err := writeSimPINs(dir, cfg.Paths.SecretsFile()); err != nil {
		return fail(err)
	}
	s.enclosure = newSimEnclosure()
	cfg.Enclosure = s.enclosure.config(cfg.Enclosure)
	// Written for technicians: kioskctl selftest --config DIR/kiosk.toml exercises the simulators.
	if b, err := config.Marshal(cfg); err == nil {
		os.WriteFile(filepath.Join(dir, "kiosk.toml"), b, 0o600)
	}
	return s, cfg, nil
}

// centralFault makes the simulated central system unreachable while the kiosk is "offline".
func (s *Sim) centralFault(*http.Request) devserver.Fault {
	if s.offline.Load() {
		return devserver.FaultReset
	}
	return devserver.FaultNone
}

// Load puts sample document n (1, 2, …) into the scanner's feeder, as a citizen loading papers.
func (s *Sim) Load(n int) error { return s.LoadPages(n, 1) }

// LoadPages puts pages copies of sample document n into the feeder (a multi-page document).
func (s *Sim) LoadPages(n, pages int) error {
	src := filepath.Join(s.Dir, "sheets", fmt.Sprintf("sheet-%02d.png", n))
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("không có tài liệu mẫu %d (no sample document %d)", n, n)
	}
	feeder := filepath.Join(s.Dir, "feeder")
	old, _ := os.ReadDir(feeder)
	for _, e := range old {
		os.Remove(filepath.Join(feeder, e.Name()))
	}
	for i := 1; i <= max(1, pages); i++ {
		if err := os.WriteFile(filepath.Join(feeder, fmt.Sprintf("page-%02d.png", i)), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the simulators.
func (s *Sim) Close() {
	if s.QR != nil {
		s.QR.Close()
	}
	if s.Reader != nil {
		s.Reader.Close()
	}
	if s.Printer != nil {
		s.Printer.Unplug()
	}
	if s.Scanner != nil {
		s.Scanner.Close()
	}
	if s.Central != nil {
		s.Central.Close()
	}
}

// card returns the simulated card of a citizen file in simdata (built once, signed by the sim's CSCA).
func (s *Sim) card(name string, opts identity.SimOptions) (*identity.SimCard, error) {
	if filepath.Base(name) != name {
		return nil, fmt.Errorf("tên công dân sai (bad citizen name)")
	}
	path := filepath.Join(s.Dir, "citizens", name+".json")
	return identity.NewSimCard(path, s.pki, opts)
}

// Trust is the trust store holding the sim's test CSCA.
func (s *Sim) Trust() *lds.TrustStore { return s.pki.TrustStore() }

// simRequest is the body of the sim control routes.
type simRequest struct {
	Citizen          string `json:"citizen"`          // simdata name, e.g. "tran-van-an"
	Payload          string `json:"payload"`          // a raw QR payload
	RemoveAfterAPDUs int    `json:"removeAfterApdus"` // card pulled out mid-read
	Fault            string `json:"fault"`            // printer: paper-out|paper-in|cover-open|cover-close|offline|online; scanner: jam|adf-empty|none
	Load             int    `json:"load"`             // scanner: put sample document n in the feeder
	Pages            int    `json:"pages"`            // scanner: that many sheets of it (default 1)
	Offline          bool   `json:"offline"`          // central
}

// Handlers returns the simulator controls mounted on the local API under /v1/sim/, so demos and
// tests can play the citizen and the faults.
func (s *Sim) Handlers() map[string]http.Handler {
	decode := func(w http.ResponseWriter, r *http.Request) (simRequest, bool) {
		var req simRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&req); err != nil {
			api.Problem(w, http.StatusBadRequest, "bad-sim-request", err.Error(), "")
			return req, false
		}
		return req, true
	}
	ok := func(w http.ResponseWriter) { api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"}) }
	return s.withEnclosureHandlers(map[string]http.Handler{
		// Show a citizen's card QR code (or a raw payload) to the QR scanner.
		"POST /v1/sim/qr": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, good := decode(w, r)
			if !good {
				return
			}
			payload := req.Payload
			if req.Citizen != "" {
				c, err := cccd.LoadCitizen(filepath.Join(s.Dir, "citizens", filepath.Base(req.Citizen)+".json"))
				if err != nil {
					api.Problem(w, http.StatusNotFound, "no-citizen", err.Error(), "")
					return
				}
				payload = cccd.QRPayload(c)
			}
			if err := s.QR.Scan(r.Context(), payload); err != nil {
				api.Problem(w, http.StatusInternalServerError, "qr", err.Error(), "")
				return
			}
			ok(w)
		}),
		// Put a citizen's card on the reader.
		"POST /v1/sim/card": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, good := decode(w, r)
			if !good {
				return
			}
			c, err := s.card(req.Citizen, identity.SimOptions{RemoveAfterAPDUs: req.RemoveAfterAPDUs})
			if err != nil {
				api.Problem(w, http.StatusNotFound, "no-citizen", err.Error(), "")
				return
			}
			s.Reader.Place(c.Chip)
			ok(w)
		}),
		// Take the card off the reader.
		"DELETE /v1/sim/card": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.Reader.Remove()
			ok(w)
		}),
		"POST /v1/sim/printer": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, good := decode(w, r)
			if !good {
				return
			}
			if err := s.Printer.Printer().Fault(req.Fault); err != nil {
				api.Problem(w, http.StatusBadRequest, "bad-fault", err.Error(), req.Fault)
				return
			}
			ok(w)
		}),
		"POST /v1/sim/scanner": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, good := decode(w, r)
			if !good {
				return
			}
			if req.Load > 0 {
				if err := s.LoadPages(req.Load, req.Pages); err != nil {
					api.Problem(w, http.StatusNotFound, "no-document", err.Error(), "")
					return
				}
				if req.Fault == "" {
					ok(w)
					return
				}
			}
			switch req.Fault {
			case "jam":
				s.Scanner.Sim.SetFaults(esclsim.Faults{JamOnPage: 1})
			case "adf-empty":
				s.Scanner.Sim.SetFaults(esclsim.Faults{ADFEmpty: true})
			case "none", "":
				s.Scanner.Sim.SetFaults(esclsim.Faults{})
			default:
				api.Problem(w, http.StatusBadRequest, "bad-fault", "unknown scanner fault", req.Fault)
				return
			}
			ok(w)
		}),
		"POST /v1/sim/central": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, good := decode(w, r)
			if !good {
				return
			}
			s.offline.Store(req.Offline)
			ok(w)
		}),
		// The centre's staff move a dossier (status, appointment, papers or fee owed) and the bank's
		// notice of a fee paid, on the development central server (the citizen services' demo).
		"POST /v1/sim/central/tracking/{code}": s.centralDev(func(ctx context.Context, code string, body []byte) error {
			var u devserver.TrackingUpdate
			if err := json.Unmarshal(body, &u); err != nil {
				return err
			}
			return s.Central.SetTracking(ctx, code, u)
		}),
		"POST /v1/sim/central/paid/{code}": s.centralDev(func(ctx context.Context, code string, body []byte) error {
			var n devserver.BankNotice
			if err := json.Unmarshal(body, &n); err != nil {
				return err
			}
			_, err := s.Central.MarkPaid(ctx, code, n)
			return err
		}),
		// The receipts printed so far (PNG paths).
		"GET /v1/sim/receipts": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var out []map[string]any
			for _, rc := range s.Printer.Printer().Receipts() {
				out = append(out, map[string]any{"index": rc.Index, "path": rc.Path, "partial": rc.Partial, "reason": rc.Reason})
			}
			api.WriteJSON(w, http.StatusOK, out)
		}),
		// A receipt picture.
		"GET /v1/sim/receipts/{index}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			for _, rc := range s.Printer.Printer().Receipts() {
				if fmt.Sprint(rc.Index) == r.PathValue("index") && rc.Path != "" {
					w.Header().Set("Content-Type", "image/png")
					http.ServeFile(w, r, rc.Path)
					return
				}
			}
			api.Problem(w, http.StatusNotFound, "no-receipt", "không có biên nhận này (no such receipt)", "")
		}),
		// A file the central server received, by its SHA-256.
		"GET /v1/sim/central/blobs/{sha}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sha := r.PathValue("sha")
			if len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
				api.Problem(w, http.StatusBadRequest, "bad-hash", "SHA-256 không hợp lệ (bad hash)", "")
				return
			}
			w.Header().Set("Content-Type", "application/pdf")
			http.ServeFile(w, r, filepath.Join(s.Dir, "central", "blobs", sha))
		}),
		// The development CA that issued the simulated kiosk's signing certificate: with it, anyone
		// can check the signed copies (pdfsig).
		"GET /v1/sim/central/ca.pem": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/x-pem-file")
			http.ServeFile(w, r, filepath.Join(s.Dir, "central", devserver.SigningCADir, devserver.CAFile))
		}),
		// What the central server holds (the dev server's dump).
		"GET /v1/sim/central": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, err := devserver.Dump(r.Context(), filepath.Join(s.Dir, "central"))
			if err != nil {
				api.Problem(w, http.StatusInternalServerError, "dump", err.Error(), "")
				return
			}
			api.WriteJSON(w, http.StatusOK, d)
		}),
	})
}
