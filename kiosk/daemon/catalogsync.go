package daemon

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/internal/atomicfile"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/central"
)

// catalogueFile keeps the last catalogue synced from the central system, so a kiosk restarted
// offline still offers the province's procedures.
type catalogueFile struct {
	ETag      string             `json:"etag"`
	Catalogue *catalog.Catalogue `json:"catalogue"`
}

func (d *Daemon) cataloguePath() string { return filepath.Join(d.cfg.Paths.StateDir, "catalogue.json") }

// loadSyncedCatalogue returns the last synced catalogue and its ETag, or the starter catalogue.
func (d *Daemon) loadSyncedCatalogue() (*catalog.Catalogue, string) {
	b, err := os.ReadFile(d.cataloguePath())
	if err != nil {
		return catalog.Starter(), ""
	}
	var f catalogueFile
	if json.Unmarshal(b, &f) != nil || f.Catalogue == nil {
		return catalog.Starter(), ""
	}
	raw, _ := json.Marshal(f.Catalogue)
	c, err := catalog.Parse(raw)
	if err != nil {
		d.log.Warn("stored catalogue unusable, using the starter catalogue", "err", err)
		return catalog.Starter(), ""
	}
	return c, f.ETag
}

// syncCatalogue fetches the central catalogue if it changed (ETag) and replaces the kiosk's. Form
// fields the central system does not send are kept from the kiosk's catalogue for the same code, and
// so are the address lists (places).
func (d *Daemon) syncCatalogue(ctx context.Context, c *central.Client) {
	cur := d.catalog.Load()
	cat, etag, notModified, err := c.Procedures(ctx, d.catalogETag.Load().(string))
	if err != nil || notModified {
		if err != nil {
			d.log.Info("catalogue sync failed; keeping the current catalogue", "err", err)
		}
		return
	}
	next := &catalog.Catalogue{Version: "central " + etag, Places: cat.Places}
	if len(next.Places) == 0 {
		next.Places = cur.Places // the address lists the kiosk has, for the fields that use them
	}
	for _, p := range cat.Procedures {
		np := catalog.Procedure{Code: p.Code, Name: p.Name, NameEn: p.NameEn, Fee: p.Fee, FeeVND: p.FeeVND, FeePages: p.FeePages, ProcessingTime: p.ProcessingTime,
			ProcessingDays: p.ProcessingDays, Popular: p.Popular, Fields: p.Fields}
		for _, r := range p.Documents {
			doc := catalog.Document{Type: r.Type, Name: r.Name, Required: !r.Optional, Originals: r.Originals, Copies: r.Copies}
			// A central catalogue that does not say how many originals and copies to bring keeps
			// what the kiosk knows of that paper of that procedure (its detail shows them).
			if old, err := cur.Get(p.Code); err == nil && r.Originals == 0 && r.Copies == 0 {
				for _, od := range old.Documents {
					if od.Type == r.Type {
						doc.Originals, doc.Copies = od.Originals, od.Copies
					}
				}
			}
			np.Documents = append(np.Documents, doc)
		}
		if old, err := cur.Get(p.Code); err == nil && len(np.Fields) == 0 {
			np.Fields = old.Fields
		}
		next.Procedures = append(next.Procedures, np)
	}
	// The central catalogue does not say what papers look like: the kiosk keeps what it knows for
	// the document types still in use (the wrong-paper warning).
	starter := catalog.Starter()
	for _, p := range next.Procedures {
		for _, doc := range p.Documents {
			id, ok := cur.Identify[doc.Type]
			if !ok {
				id, ok = starter.Identify[doc.Type]
			}
			if ok {
				if next.Identify == nil {
					next.Identify = map[string]catalog.Identify{}
				}
				next.Identify[doc.Type] = id
			}
		}
	}
	raw, _ := json.Marshal(next)
	checked, err := catalog.Parse(raw)
	if err != nil {
		d.log.Warn("central catalogue refused", "err", err)
		return
	}
	// Saved first, then used: a kiosk that shows the new catalogue keeps it across a restart.
	if b, err := json.Marshal(catalogueFile{ETag: etag, Catalogue: checked}); err == nil {
		if err := atomicfile.Write(d.cataloguePath(), b, 0o600); err != nil {
			d.log.Warn("catalogue not saved", "err", err)
		}
	}
	d.catalog.Store(checked)
	d.catalogETag.Store(etag)
	d.log.Info("catalogue synced", "procedures", len(checked.Procedures), "etag", etag)
}

// syncCatalogueEvery syncs now and then every interval until ctx ends.
func (d *Daemon) syncCatalogueEvery(ctx context.Context, c *central.Client, interval time.Duration) {
	for {
		d.syncCatalogue(ctx, c)
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
