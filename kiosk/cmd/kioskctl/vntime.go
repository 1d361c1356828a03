package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even on a machine without the zone files

	"github.com/tramso/tramso/kiosk/outbox"
)

// vietnamZone is Asia/Ho_Chi_Minh: every time kioskctl shows a person is Vietnam time, whatever
// the machine's own zone.
func vietnamZone() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		// Not reached: time/tzdata is linked in. Vietnam keeps UTC+7 all year.
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}

// writeDossiers prints today's dossiers as a table, their times in Vietnam time.
func writeDossiers(w io.Writer, list []outbox.Entry) error {
	vn := vietnamZone()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSỐ BIÊN NHẬN\tTRẠNG THÁI\tMÃ HỒ SƠ\tTHỦ TỤC\tLÚC")
	for _, x := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.ReceiptNo, x.State, x.DossierCode, x.ProcedureCode, x.CapturedAt.In(vn).Format("15:04"))
	}
	return tw.Flush()
}
