package receipt

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/kiosk/catalog"
)

// Checklist is the "Cần mang theo" slip: what to bring for a procedure, so that the citizen comes
// back prepared. It is made from the catalogue by NewChecklist.
type Checklist struct {
	Unit           string
	ProcedureCode  string
	ProcedureName  string
	Documents      []ChecklistItem
	Fee            string // as the catalogue words it
	ProcessingTime string
	Where          string // where to go, e.g. "Bộ phận Một cửa, tầng 1"
	PageURL        string // the procedure's page, for the QR code
	PrintedAt      time.Time
	KioskID        string
	Hotline        string
}

// ChecklistItem is one paper to bring.
type ChecklistItem struct {
	Name      string
	Required  bool
	Originals int
	Copies    int
	// Missing marks a required paper the citizen did not have at the kiosk.
	Missing bool
}

// Guide is what the kiosk adds to a procedure's checklist.
type Guide struct {
	Unit  string
	Where string // where to go
	// PageURL is the address of the procedure's page, with {code} where the procedure code goes.
	PageURL string
	// Missing are the document types the citizen lacked, marked on the slip.
	Missing []string
}

// NewChecklist makes the checklist of procedure p, as the catalogue describes it.
func NewChecklist(p *catalog.Procedure, g Guide, at time.Time, k Kiosk) (*Checklist, error) {
	if p == nil {
		return nil, errNoProcedure
	}
	c := &Checklist{
		Unit: g.Unit, ProcedureCode: p.Code, ProcedureName: p.Name, Fee: p.Fee, ProcessingTime: p.ProcessingTime,
		Where: g.Where, PageURL: strings.ReplaceAll(g.PageURL, "{code}", p.Code), PrintedAt: at, Hotline: k.Hotline,
	}
	for _, doc := range p.Documents {
		c.Documents = append(c.Documents, ChecklistItem{Name: doc.Name, Required: doc.Required,
			Originals: doc.Originals, Copies: doc.Copies, Missing: slices.Contains(g.Missing, doc.Type)})
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the checklist and puts its text in NFC.
func (c *Checklist) Validate() error {
	nfc(&c.Unit, &c.ProcedureCode, &c.ProcedureName, &c.Fee, &c.ProcessingTime, &c.Where, &c.PageURL, &c.KioskID, &c.Hotline)
	for i := range c.Documents {
		nfc(&c.Documents[i].Name)
	}
	switch {
	case c.Unit == "":
		return invalidField("unit", missingField)
	case c.ProcedureName == "":
		return invalidField("procedure.name", missingField)
	case len(c.Documents) == 0:
		return invalidField("documents", "cần ít nhất một giấy tờ (at least one document is required)")
	}
	for i, d := range c.Documents {
		if d.Name == "" {
			return invalidField(fmt.Sprintf("documents[%d].name", i), missingField)
		}
		if d.Originals < 0 || d.Copies < 0 || d.Originals+d.Copies > 999 {
			return invalidField(fmt.Sprintf("documents[%d]", i), "số lượng 0–999 (counts 0 to 999)")
		}
	}
	return checkURL("pageUrl", c.PageURL)
}

// Layout lays the checklist out.
func (c *Checklist) Layout(p escpos.Profile) *escpos.Document {
	st := slipStyles()
	d := new(escpos.Document)
	header(d, c.Unit)
	title(d, "CẦN MANG THEO", "What to bring")
	proc := c.ProcedureName
	if c.ProcedureCode != "" {
		proc += " (mã " + c.ProcedureCode + ")"
	}
	d.Text("Thủ tục (procedure): "+proc, st.bold)
	d.Feed(6)
	d.Text("Giấy tờ (papers):", st.bold)
	missing := false
	for i, doc := range c.Documents {
		name := doc.Name
		if !doc.Required && !strings.Contains(name, "nếu có") {
			name += " (nếu có)"
		}
		row := st.plain
		if doc.Missing {
			name += " - CÒN THIẾU (missing)"
			row, missing = st.bold, true
		}
		d.Columns(fmt.Sprintf("%d. %s", i+1, name), counts(Document{Name: doc.Name, Originals: doc.Originals, Copies: doc.Copies}), row)
	}
	d.Text("BC: bản chính, BS: bản sao", st.small)
	if missing {
		d.Feed(6)
		d.Text("Hồ sơ chưa đủ: xin mang thêm giấy tờ còn thiếu. (Papers are missing: please bring them.)", st.bold)
	}
	d.Feed(6)
	if c.Fee != "" {
		d.Text("Phí, lệ phí (fee): "+c.Fee, st.plain)
	}
	if c.ProcessingTime != "" {
		d.Text("Thời hạn giải quyết (processing time): "+c.ProcessingTime, st.plain)
	}
	if c.Where != "" {
		d.Text("Nơi nộp (where to go): "+c.Where, st.plain)
	}
	d.Rule()
	qrSection(d, "Quét mã để xem thủ tục (scan for the procedure)", c.PageURL, false)
	d.Feed(8)
	footer(d, c.KioskID, c.Hotline)
	printedAt(d, c.PrintedAt)
	return d
}
