package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/tramso/tramso/internal/vntime"
	"github.com/tramso/tramso/kiosk/outbox"
)

// writeDossiers prints today's dossiers as a table, their times in Vietnam time.
func writeDossiers(w io.Writer, list []outbox.Entry) error {
	vn := vntime.Zone()
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSỐ BIÊN NHẬN\tTRẠNG THÁI\tMÃ HỒ SƠ\tTHỦ TỤC\tLÚC")
	for _, x := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.ReceiptNo, x.State, x.DossierCode, x.ProcedureCode, x.CapturedAt.In(vn).Format("15:04"))
	}
	return tw.Flush()
}
