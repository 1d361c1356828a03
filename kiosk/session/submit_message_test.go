package session

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tramso/tramso/kiosk/dossier"
	"github.com/tramso/tramso/kiosk/outbox"
)

// A failed commit is worded for the citizen by its cause; the error's own text (written for the
// technician, possibly naming files or fields) never reaches the screen.
func TestSubmitMessageNeverPastesTheError(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("capture: %w", outbox.ErrDiskFull), "Kiosk tạm thời không nhận hồ sơ"},
		{outbox.ErrNoSigningCertificate, "Kiosk tạm thời không nhận hồ sơ"},
		{fmt.Errorf("capture: %w", &dossier.ValidationError{Problems: []string{"trường x (field x)"}}), "còn thiếu hoặc sai thông tin"},
		{fmt.Errorf("sqlite: %w", errors.New("database is locked /var/lib/tramso/outbox.db")), "Chưa lưu được hồ sơ."},
	} {
		m := submitMessage(c.err)
		if m.Code != "submit_failed" || !m.Retry || !strings.Contains(m.Vi, c.want) || m.En == "" {
			t.Errorf("%v: %+v, want it to say %q", c.err, m, c.want)
		}
		for _, part := range strings.Split(c.err.Error(), ": ") {
			if strings.Contains(m.Vi, part) || strings.Contains(m.En, part) {
				t.Errorf("%v: the error text %q reached the citizen: %+v", c.err, part, m)
			}
		}
	}
}
