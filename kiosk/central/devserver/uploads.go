package devserver

// Resumable uploads of attachment files.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/kiosk/central"
)

func (s *Server) lockUpload(id string) func() {
	s.mu.Lock()
	l := s.uploadLock[id]
	if l == nil {
		l = &sync.Mutex{}
		s.uploadLock[id] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func (s *Server) blobPath(sha string) string { return filepath.Join(s.cfg.Dir, "blobs", sha) }
func (s *Server) partPath(id string) string  { return filepath.Join(s.cfg.Dir, "parts", id) }

// haveBlob reports whether the server holds the complete file sha of the given size.
func (s *Server) haveBlob(ctx context.Context, sha string, size int64) bool {
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT size FROM blobs WHERE sha256=?", sha).Scan(&n)
	return err == nil && n == size
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request, k kiosk) {
	var req central.UploadRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil || !validSHA(req.SHA256) || req.Size <= 0 || req.Size > 1<<31 {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "yêu cầu tải lên không hợp lệ (upload request invalid)")
		return
	}
	idb := sha256.Sum256([]byte(k.id + "\x00" + req.SHA256))
	id := hex.EncodeToString(idb[:16])
	unlock := s.lockUpload(id)
	defer unlock()
	sess := central.UploadSession{ID: id, SHA256: req.SHA256, Size: req.Size}
	var size int64
	var complete bool
	err := s.db.QueryRowContext(r.Context(), "SELECT size, offset, complete FROM uploads WHERE id=?", id).Scan(&size, &sess.Offset, &complete)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := s.db.ExecContext(r.Context(), "INSERT INTO uploads(id, kiosk_id, sha256, size) VALUES(?,?,?,?)", id, k.id, req.SHA256, req.Size); err != nil {
			s.internal(w, err)
			return
		}
	case err != nil:
		s.internal(w, err)
		return
	case size != req.Size:
		if _, err := s.db.ExecContext(r.Context(), "UPDATE uploads SET size=?, offset=0, complete=0 WHERE id=?", req.Size, id); err != nil {
			s.internal(w, err)
			return
		}
		os.Remove(s.partPath(id))
		sess.Offset = 0
	}
	if s.haveBlob(r.Context(), req.SHA256, req.Size) {
		sess.Offset, sess.Complete = req.Size, true
	}
	w.Header().Set("Location", central.PathUploads+"/"+id)
	writeJSON(w, http.StatusCreated, sess)
}

func (s *Server) loadUpload(ctx context.Context, id, kioskID string) (sha string, size, offset int64, complete bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT sha256, size, offset, complete FROM uploads WHERE id=? AND kiosk_id=?", id, kioskID).
		Scan(&sha, &size, &offset, &complete)
	return
}

func (s *Server) headUpload(w http.ResponseWriter, r *http.Request, k kiosk) {
	_, size, off, complete, err := s.loadUpload(r.Context(), r.PathValue("id"), k.id)
	if err != nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.Header().Set(central.HeaderUploadOffset, strconv.FormatInt(off, 10))
	w.Header().Set("Upload-Length", strconv.FormatInt(size, 10))
	if complete {
		w.Header().Set(central.HeaderUploadComplete, "?1")
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) patchUpload(w http.ResponseWriter, r *http.Request, k kiosk) {
	id := r.PathValue("id")
	unlock := s.lockUpload(id)
	defer unlock()
	sha, size, off, complete, err := s.loadUpload(r.Context(), id, k.id)
	if err != nil {
		problem(w, http.StatusNotFound, central.ProblemNotFound, "không có phiên tải lên (no such upload)")
		return
	}
	want, err := strconv.ParseInt(r.Header.Get(central.HeaderUploadOffset), 10, 64)
	if err != nil || r.Header.Get("Content-Type") != central.ContentTypeChunk {
		problem(w, http.StatusBadRequest, central.ProblemBadRequest, "thiếu Upload-Offset hoặc Content-Type (Upload-Offset or Content-Type missing)")
		return
	}
	if complete || want != off {
		p := central.Problem{Type: central.ProblemOffsetMismatch, Status: http.StatusConflict,
			Title: "vị trí tải lên không khớp (upload offset mismatch)", Offset: &off}
		if complete {
			p.Offset = &size
		}
		problemWith(w, p)
		return
	}
	f, err := os.OpenFile(s.partPath(id), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		s.internal(w, err)
		return
	}
	defer f.Close()
	if err := f.Truncate(off); err != nil { // drop bytes beyond the recorded offset (a crash mid-write)
		s.internal(w, err)
		return
	}
	limit := size - off
	if r.Context().Value(resetKey{}) != nil && r.ContentLength > 0 {
		limit = min(limit, r.ContentLength/2) // injected reset: take half the body, then drop the link
	}
	n, copyErr := io.Copy(io.NewOffsetWriter(f, off), io.LimitReader(r.Body, limit))
	if err := f.Sync(); err != nil {
		s.internal(w, err)
		return
	}
	off += n
	if _, err := s.db.ExecContext(context.WithoutCancel(r.Context()), "UPDATE uploads SET offset=? WHERE id=?", off, id); err != nil {
		s.internal(w, err)
		return
	}
	if copyErr != nil {
		return // the client went away; what arrived is kept
	}
	if off == size {
		ok, err := s.finishUpload(r.Context(), f, id, sha, size)
		if err != nil {
			s.internal(w, err)
			return
		}
		if !ok {
			zero := int64(0)
			problemWith(w, central.Problem{Type: central.ProblemHashMismatch, Status: http.StatusUnprocessableEntity,
				Title: "tệp nhận được không khớp mã băm; tải lại từ đầu (hash mismatch; upload again from 0)", Offset: &zero})
			return
		}
		w.Header().Set(central.HeaderUploadComplete, "?1")
	}
	w.Header().Set(central.HeaderUploadOffset, strconv.FormatInt(off, 10))
	w.WriteHeader(http.StatusNoContent)
}

// finishUpload checks the received file's hash and moves it into blobs/ (fsync, rename, fsync dir).
func (s *Server) finishUpload(ctx context.Context, f *os.File, id, sha string, size int64) (bool, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, size)); err != nil {
		return false, err
	}
	ctx = context.WithoutCancel(ctx)
	if hex.EncodeToString(h.Sum(nil)) != sha {
		f.Truncate(0)
		_, err := s.db.ExecContext(ctx, "UPDATE uploads SET offset=0 WHERE id=?", id)
		return false, err
	}
	if err := atomicfile.Rename(s.partPath(id), s.blobPath(sha)); err != nil {
		return false, err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO blobs(sha256, size) VALUES(?,?) ON CONFLICT DO NOTHING;`, sha, size)
	if err == nil {
		_, err = s.db.ExecContext(ctx, "UPDATE uploads SET complete=1, offset=size WHERE sha256=?", sha)
	}
	return err == nil, err
}
