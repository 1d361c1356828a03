package devserver

// Kiosks: enrolment, the procedure catalogue, heartbeats.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"

	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

func (s *Server) enrol(w http.ResponseWriter, r *http.Request) {
	var req central.EnrolRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.KioskID == "" || len(req.KioskID) > 64 {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "yêu cầu đăng ký không đọc được (enrolment request unreadable)")
		return
	}
	block, _ := pem.Decode([]byte(req.CSR))
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "thiếu CSR (CSR missing)")
		return
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || csr.CheckSignature() != nil || csr.Subject.CommonName != req.KioskID {
		problem(w, http.StatusUnprocessableEntity, central.ProblemBadRequest, "CSR không hợp lệ (CSR invalid)")
		return
	}
	pub, ok := csr.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		problem(w, http.StatusUnprocessableEntity, central.ProblemBadRequest, "khóa phải là ECDSA P-256 (key must be ECDSA P-256)")
		return
	}
	der, _ := x509.MarshalPKIXPublicKey(pub)
	var old []byte
	err = s.db.QueryRowContext(r.Context(), "SELECT public_key FROM kiosks WHERE id=?", req.KioskID).Scan(&old)
	switch {
	case err == nil && string(old) != string(der):
		problem(w, http.StatusConflict, central.ProblemBadRequest, "kiosk đã đăng ký với khóa khác (kiosk enrolled with another key)")
		return
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.db.ExecContext(r.Context(), "INSERT INTO kiosks(id, public_key, enrolled_at) VALUES(?,?,?)",
			req.KioskID, der, s.cfg.Now().UnixMilli()); err != nil {
			s.internal(w, err)
			return
		}
	case err != nil:
		s.internal(w, err)
		return
	}
	out := central.EnrolResponse{KioskID: req.KioskID}
	if s.issuer != nil {
		cert, err := s.issuer.issueClient(req.KioskID, pub)
		if err != nil {
			s.internal(w, err)
			return
		}
		out.Certificate, out.CACertificate = string(cert), string(s.issuer.certPEM)
	}
	s.log.Info("kiosk enrolled", "kiosk", req.KioskID)
	writeJSON(w, http.StatusCreated, out)
}

// starterCatalogue is the sample catalogue served to kiosks: the kiosk's own starter catalogue in the
// central API's shape (sample data, see shared/ref/domain.md).
func starterCatalogue() central.Catalogue {
	starter := catalog.Starter()
	out := central.Catalogue{Places: starter.Places}
	for _, p := range starter.Procedures {
		cp := central.CatalogueProcedure{Code: p.Code, Name: p.Name, NameEn: p.NameEn, Fee: p.Fee, FeeVND: p.FeeVND, FeePages: p.FeePages,
			ProcessingTime: p.ProcessingTime, ProcessingDays: p.ProcessingDays, Popular: p.Popular, Fields: p.Fields}
		for _, d := range p.Documents {
			cp.Documents = append(cp.Documents, dossier.Requirement{Type: d.Type, Name: d.Name, Optional: !d.Required,
				Originals: d.Originals, Copies: d.Copies})
		}
		out.Procedures = append(out.Procedures, cp)
	}
	return out
}

func (s *Server) procedures(w http.ResponseWriter, r *http.Request) {
	b, _ := json.Marshal(starterCatalogue())
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (s *Server) heartbeat(w http.ResponseWriter, r *http.Request, k kiosk) {
	var hb central.Heartbeat
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&hb); err != nil {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "nhịp tim không đọc được (heartbeat unreadable)")
		return
	}
	now := s.cfg.Now()
	if _, err := s.db.ExecContext(r.Context(), "UPDATE kiosks SET last_seen=?, queued=? WHERE id=?", now.UnixMilli(), hb.Queued, k.id); err != nil {
		s.internal(w, err)
		return
	}
	writeJSON(w, http.StatusOK, central.HeartbeatResponse{ServerTime: now.UTC()})
}
