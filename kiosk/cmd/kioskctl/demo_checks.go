//go:build !nosim

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/central/devserver"
)

// What the demo checks and keeps along the way: the procedure's detail, typed fields, the receipt
// and the central server's copy of the dossier.

// detail checks the procedure's detail the kiosk shows (what to bring: every paper with how many
// originals and copies, the fee, the processing time, where to go, the address of its page for
// the QR code), tells it, and keeps the touchscreen's picture of it.
func (d *demo) detail(ctx context.Context, v wire.View, code string, since time.Time) error {
	pr := v.Procedure
	if pr == nil || pr.Code != code {
		return fmt.Errorf("chi tiết không phải thủ tục %s (the detail is not of the procedure): %+v", code, pr)
	}
	if !strings.Contains(pr.PageURL, code) || len(v.Documents) == 0 || len(v.Documents) != pr.Documents {
		return fmt.Errorf("chi tiết thủ tục thiếu giấy tờ hoặc trang thủ tục (the detail lacks its papers or page): %+v, %d giấy tờ", pr, len(v.Documents))
	}
	var papers []string
	for _, doc := range v.Documents {
		if doc.Originals+doc.Copies == 0 {
			return fmt.Errorf("chi tiết không nói cần bản chính hay bản sao của %s (no original/copy count)", doc.Name)
		}
		papers = append(papers, fmt.Sprintf("%s (%d bản chính, %d bản sao)", doc.Name, doc.Originals, doc.Copies))
	}
	d.note("chi tiết thủ tục (procedure detail) %s: %s; lệ phí %s; thời hạn %s; nơi nộp %q; trang %s",
		pr.Name, strings.Join(papers, "; "), pr.Fee, pr.ProcessingTime, pr.Where, pr.PageURL)
	return d.keepShot(ctx, "choose_procedure-procedure", "", since)
}

// typeFields types the values of fields on the review screen, as the citizen does with the
// on-screen keyboard (set_field), and returns the view after them. A value the kiosk refuses fails.
func (d *demo) typeFields(ctx context.Context, v wire.View, fields map[string]string) (wire.View, error) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		a := wire.ActionOn(v, wire.ActSetField, fields[key])
		a.Key = key
		nv, err := d.c.Do(ctx, a)
		if err != nil {
			return v, fmt.Errorf("gõ %s (typing %s): %w", key, key, err)
		}
		v = nv
		for _, f := range v.Form {
			if f.Key == key && (f.Value != fields[key] || f.Error != "") {
				return v, fmt.Errorf("kiosk không nhận %s = %q (not taken): %q %s", key, fields[key], f.Value, f.Error)
			}
		}
		d.note("công dân gõ (the citizen types) %s: %q", key, fields[key])
	}
	return v, nil
}

// changed waits for a view other than v (a new seq or session).
func (d *demo) changed(ctx context.Context, v wire.View) (wire.View, error) {
	nv, err := d.c.WaitFor(ctx, func(x wire.View) bool { return x.Seq != v.Seq || x.Session != v.Session })
	if err != nil {
		return nv, fmt.Errorf("chờ màn hình sau (waiting for the screen after) %s/%s: %w", v.State, v.Step, err)
	}
	return nv, nil
}

// collect saves the receipt picture and the central server's copy of the dossier.
func (d *demo) collect(ctx context.Context, code string) error {
	var receipts []struct {
		Index int `json:"index"`
	}
	if err := d.c.Sim(ctx, http.MethodGet, "receipts", nil, &receipts); err != nil || len(receipts) == 0 {
		return fmt.Errorf("không lấy được biên nhận (no receipt): %v", err)
	}
	png, err := d.c.SimFile(ctx, fmt.Sprintf("receipts/%d", receipts[len(receipts)-1].Index))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.out, "receipt.png"), png, 0o644); err != nil {
		return err
	}
	var held []devserver.DumpEntry
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		if err := d.c.Sim(ctx, http.MethodGet, "central", nil, &held); err != nil {
			return err
		}
		if len(held) > 0 && (held[len(held)-1].DossierCode == code || strings.HasPrefix(code, "SIM-")) {
			break
		}
		if time.Now().After(deadline) {
			return errors.New("máy chủ trung tâm chưa nhận hồ sơ (the central server has not received the dossier)")
		}
	}
	rec := held[len(held)-1]
	// The CA of the simulated kiosk's signing certificate, to check the copies with:
	// pdfsig -nssdir DIR dossier-1-….pdf, after certutil -A -t CT,C,C -i signing-ca.pem -d DIR.
	if ca, err := d.c.SimFile(ctx, "central/ca.pem"); err == nil {
		if err := os.WriteFile(filepath.Join(d.out, "signing-ca.pem"), ca, 0o644); err != nil {
			return err
		}
	}
	if err := writeJSON(filepath.Join(d.out, "central-dossier.json"), rec); err != nil {
		return err
	}
	return d.savePDFs(ctx, rec, "dossier")
}

// savePDFs saves the copies central received of dossier rec as prefix-N-type.pdf and checks that
// each is its own paper and carries the kiosk's intact signature.
func (d *demo) savePDFs(ctx context.Context, rec devserver.DumpEntry, prefix string) error {
	for i, a := range rec.Attachments {
		b, err := d.c.SimFile(ctx, "central/blobs/"+a.SHA256)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%s-%d-%s.pdf", prefix, i+1, a.Type)
		if err := os.WriteFile(filepath.Join(d.out, name), b, 0o644); err != nil {
			return err
		}
		if err := checkPaper(ctx, filepath.Join(d.out, name), a.Type); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := checkSigned(ctx, filepath.Join(d.out, name)); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		d.note("máy chủ trung tâm nhận (central received) %s: %d byte, SHA-256 %s…", name, len(b), a.SHA256[:12])
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
