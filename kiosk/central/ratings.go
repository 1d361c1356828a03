package central

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/kiosk/dossier"
)

// Rating levels (the three-level scale of the one-stop rating).
const (
	RatingVerySatisfied = "rat-hai-long"   // Rất hài lòng
	RatingSatisfied     = "hai-long"       // Hài lòng
	RatingDissatisfied  = "khong-hai-long" // Không hài lòng
)

// Rating subjects.
const (
	RatingOfDossier = "dossier" // the handling of a finished dossier (status 9 or 10)
	RatingOfKiosk   = "kiosk"   // the kiosk's own service, at the end of a session
)

// RatingReason is a reason a citizen may tick with Không hài lòng.
type RatingReason struct{ Code, VI, EN string }

// RatingReasons returns the reasons offered with Không hài lòng, with their labels.
func RatingReasons() []RatingReason {
	return []RatingReason{
		{"cho-lau", "Phải chờ lâu", "Waited too long"},
		{"qua-han", "Trả kết quả trễ hẹn", "Result later than promised"},
		{"di-lai-nhieu-lan", "Phải đi lại nhiều lần", "Had to come back several times"},
		{"huong-dan-kho-hieu", "Hướng dẫn khó hiểu", "Guidance hard to understand"},
		{"thai-do", "Thái độ phục vụ chưa tốt", "Staff attitude"},
		{"may-kho-dung", "Máy khó sử dụng", "The kiosk was hard to use"},
		{"khac", "Lý do khác", "Another reason"},
	}
}

// MaxRatingComment is the longest comment, in characters.
const MaxRatingComment = 500

// Rating is one satisfaction rating. It carries no personal data beyond the dossier code.
type Rating struct {
	ID          string    `json:"id"`                    // made at capture; the idempotency key
	Subject     string    `json:"subject"`               // RatingOfDossier or RatingOfKiosk
	DossierCode string    `json:"dossierCode,omitempty"` // RatingOfDossier
	Level       string    `json:"level"`
	Reasons     []string  `json:"reasons,omitempty"` // codes of RatingReasons(); Không hài lòng only
	Comment     string    `json:"comment,omitempty"` // Không hài lòng only, NFC, ≤ 500 characters
	RatedAt     time.Time `json:"ratedAt"`
}

// RatingLabel is the label of a level, Vietnamese and English.
func RatingLabel(level string) (vi, en string) {
	switch level {
	case RatingVerySatisfied:
		return "Rất hài lòng", "Very satisfied"
	case RatingSatisfied:
		return "Hài lòng", "Satisfied"
	case RatingDissatisfied:
		return "Không hài lòng", "Dissatisfied"
	}
	return "", ""
}

// Check normalises r (NFC, trimmed) and reports why it cannot be sent, or nil.
func (r *Rating) Check() error {
	r.Comment = strings.TrimSpace(norm.NFC.String(r.Comment))
	if r.ID == "" || len(r.ID) > 64 || strings.ContainsAny(r.ID, "/?# ") {
		return fmt.Errorf("mã đánh giá không hợp lệ (rating id invalid)")
	}
	if vi, _ := RatingLabel(r.Level); vi == "" {
		return fmt.Errorf("mức đánh giá không có (unknown rating level)")
	}
	switch r.Subject {
	case RatingOfDossier:
		if _, err := dossier.ParseCode(r.DossierCode); err != nil {
			return fmt.Errorf("mã hồ sơ không hợp lệ (dossier code invalid)")
		}
	case RatingOfKiosk:
		if r.DossierCode != "" {
			return fmt.Errorf("đánh giá kiosk không gắn với hồ sơ (a kiosk rating names no dossier)")
		}
	default:
		return fmt.Errorf("đối tượng đánh giá phải là dossier hoặc kiosk (subject must be dossier or kiosk)")
	}
	if r.Level != RatingDissatisfied && (len(r.Reasons) > 0 || r.Comment != "") {
		return fmt.Errorf("lý do và góp ý chỉ đi kèm mức Không hài lòng (reasons and comment go with Không hài lòng only)")
	}
	seen := map[string]bool{}
	for _, code := range r.Reasons {
		known := false
		for _, k := range RatingReasons() {
			known = known || k.Code == code
		}
		if !known || seen[code] {
			return fmt.Errorf("lý do không có hoặc lặp lại: %q (unknown or repeated reason)", code)
		}
		seen[code] = true
	}
	if utf8.RuneCountInString(r.Comment) > MaxRatingComment {
		return fmt.Errorf("góp ý dài quá 500 ký tự (comment longer than 500 characters)")
	}
	if r.RatedAt.IsZero() {
		return fmt.Errorf("thiếu thời điểm đánh giá (rating time missing)")
	}
	return nil
}

// Rate sends a rating. It is idempotent on r.ID: the first time answers 201, a retry 200. A dossier
// already rated under another id answers 409 already-rated; a dossier not finished 409 not-allowed.
func (c *Client) Rate(ctx context.Context, r Rating) error {
	if err := r.Check(); err != nil {
		return err
	}
	body, n, h := jsonBody(r)
	_, err := c.do(ctx, http.MethodPut, PathRatings+"/"+url.PathEscape(r.ID), h, body, n, nil, http.StatusOK, http.StatusCreated)
	return err
}

// ---- Payments ----
