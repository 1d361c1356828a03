package outbox

import (
	"fmt"
	"strings"

	"github.com/tramso/tramso/kiosk/dossier"
)

// mismatchNote is the capture's audit note for staff when the citizen kept papers that did not
// look like their document type (`kioskctl outbox show`): document types and codes only, no
// personal data. Empty when every paper matched.
func mismatchNote(d *dossier.Dossier) string {
	var parts []string
	for _, a := range d.Attachments {
		if m := a.Mismatch; m != nil {
			s := fmt.Sprintf("%s: %s", a.Type, m.Code)
			if m.LooksLike != "" {
				s += " → " + m.LooksLike
			}
			if m.Page > 0 {
				s += fmt.Sprintf(" (trang/page %d)", m.Page)
			}
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "cần kiểm tra giấy tờ (papers to check): " + strings.Join(parts, "; ")
}
