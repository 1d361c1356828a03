package devserver

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/kiosk/dossier"
)

// DumpEntry is one stored dossier as `kioskctl central-dev dump --json` prints it.
type DumpEntry struct {
	DossierCode       string           `json:"dossierCode"`
	IdempotencyKey    string           `json:"idempotencyKey"`
	ProcedureCode     string           `json:"procedureCode"`
	UnitCode          string           `json:"unitCode"`
	ApplicantIDNumber string           `json:"applicantIdNumber"`
	KioskID           string           `json:"kioskId"`
	ReceiptNo         string           `json:"receiptNo"`
	Status            string           `json:"status"`
	ReceivedAt        time.Time        `json:"receivedAt"`
	Attachments       []DumpAttachment `json:"attachments"`
}

// DumpAttachment is one stored attachment; SHA256 and Size are measured on the stored file
// (empty and 0 when the file is missing), Expected is the hash the manifest names.
type DumpAttachment struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Expected string `json:"expectedSha256"`
	// Pages and Mismatch are the manifest's page count and wrong-paper mark.
	Pages    int               `json:"pages"`
	Mismatch *dossier.Mismatch `json:"mismatch,omitempty"`
}

// Dump lists every dossier the server in dir holds, in order of reception, hashing each stored
// attachment file. It may run while a server is serving dir.
func Dump(ctx context.Context, dir string) ([]DumpEntry, error) {
	if _, err := os.Stat(filepath.Join(dir, "central.db")); err != nil {
		return nil, fmt.Errorf("không có dữ liệu máy chủ thử trong thư mục (no development server data in directory): %w", err)
	}
	db, err := openDB(ctx, filepath.Join(dir, "central.db"))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT code, idem_key, procedure_code, unit_code, applicant_id, kiosk_id, status, received_at, manifest
		FROM dossiers ORDER BY received_at, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DumpEntry{}
	for rows.Next() {
		var e DumpEntry
		var recv int64
		var manifest []byte
		if err := rows.Scan(&e.DossierCode, &e.IdempotencyKey, &e.ProcedureCode, &e.UnitCode, &e.ApplicantIDNumber,
			&e.KioskID, &e.Status, &recv, &manifest); err != nil {
			return nil, err
		}
		e.ReceivedAt = time.UnixMilli(recv).UTC()
		d, err := dossier.ParseManifest(manifest)
		if err != nil {
			return nil, err
		}
		e.ReceiptNo = d.ReceiptNo
		e.Attachments = []DumpAttachment{}
		for _, a := range d.Attachments {
			da := DumpAttachment{Name: a.Name, Type: a.Type, Expected: a.SHA256, Pages: a.Pages, Mismatch: a.Mismatch}
			da.SHA256, da.Size = hashFile(filepath.Join(dir, "blobs", a.SHA256))
			e.Attachments = append(e.Attachments, da)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func hashFile(path string) (string, int64) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0
	}
	return hex.EncodeToString(h.Sum(nil)), n
}
