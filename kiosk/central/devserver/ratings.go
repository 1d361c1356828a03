package devserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/dossier"
)

// statusCode is the national status code of a stored dossier (sql.ErrNoRows when there is none).
func statusCode(ctx context.Context, q querier, code string) (dossier.Status, error) {
	var st string
	if err := q.QueryRowContext(ctx, "SELECT status FROM dossiers WHERE code=?", code).Scan(&st); err != nil {
		return 0, err
	}
	var c dossier.Status
	err := q.QueryRowContext(ctx, "SELECT status_code FROM tracking WHERE code=?", code).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return central.StatusCodeOf(st), nil
	}
	return c, err
}

func (v *services) rate(w http.ResponseWriter, r *http.Request, k kiosk) {
	var rt central.Rating
	if !readJSON(w, r, &rt) {
		return
	}
	if rt.ID != r.PathValue("id") {
		badRequest(w, errors.New("mã đánh giá trong đường dẫn và nội dung khác nhau (rating id differs between path and body)"))
		return
	}
	if err := rt.Check(); err != nil {
		badRequest(w, err)
		return
	}
	body, _ := json.Marshal(rt)
	fp := fingerprintOf(body)
	ctx := context.WithoutCancel(r.Context())
	tx, err := v.s.db.BeginTx(ctx, nil)
	if err != nil {
		v.s.internal(w, err)
		return
	}
	defer tx.Rollback()
	var oldFP string
	err = tx.QueryRowContext(ctx, "SELECT fingerprint FROM ratings WHERE id=?", rt.ID).Scan(&oldFP)
	switch {
	case err == nil && oldFP == fp:
		w.WriteHeader(http.StatusOK)
		return
	case err == nil:
		problem(w, http.StatusUnprocessableEntity, central.ProblemKeyReused, "mã đánh giá đã dùng cho đánh giá khác (rating id reused)")
		return
	case !errors.Is(err, sql.ErrNoRows):
		v.s.internal(w, err)
		return
	}
	var code any // NULL for a kiosk rating
	if rt.Subject == central.RatingOfDossier {
		sc, err := statusCode(ctx, tx, rt.DossierCode)
		if errors.Is(err, sql.ErrNoRows) {
			problem(w, http.StatusNotFound, central.ProblemNotFound, "không có hồ sơ với mã này (no dossier with this code)")
			return
		}
		if err != nil {
			v.s.internal(w, err)
			return
		}
		if sc != dossier.StatusDone && sc != dossier.StatusReturned {
			problem(w, http.StatusConflict, central.ProblemNotAllowed, "chỉ đánh giá hồ sơ đã xử lý xong hoặc đã trả kết quả (only a finished dossier can be rated)")
			return
		}
		var other string
		err = tx.QueryRowContext(ctx, "SELECT id FROM ratings WHERE subject='dossier' AND dossier_code=?", rt.DossierCode).Scan(&other)
		if err == nil {
			problem(w, http.StatusConflict, central.ProblemAlreadyRated, "hồ sơ này đã được đánh giá (this dossier is already rated)")
			return
		}
		if !errors.Is(err, sql.ErrNoRows) {
			v.s.internal(w, err)
			return
		}
		code = rt.DossierCode
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ratings(id, subject, dossier_code, level, reasons, comment, rated_at, kiosk_id, fingerprint)
		VALUES(?,?,?,?,?,?,?,?,?)`, rt.ID, rt.Subject, code, rt.Level, strings.Join(rt.Reasons, ","), rt.Comment,
		rt.RatedAt.UnixMilli(), k.id, fp); err != nil {
		v.s.internal(w, err)
		return
	}
	if err := tx.Commit(); err != nil {
		v.s.internal(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// RatingCounts counts the stored ratings by subject and level, e.g. counts["dossier"]["hai-long"].
func (s *Server) RatingCounts(ctx context.Context) (map[string]map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT subject, level, count(*) FROM ratings GROUP BY subject, level")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var subj, level string
		var n int
		if err := rows.Scan(&subj, &level, &n); err != nil {
			return nil, err
		}
		if out[subj] == nil {
			out[subj] = map[string]int{}
		}
		out[subj][level] = n
	}
	return out, rows.Err()
}
