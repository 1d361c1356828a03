package session

import (
	"context"
	"image"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/identity"
)

// wipe drops everything about the current citizen and returns to the attract screen: the
// session's context ends (its device work stops), the page buffers, PDFs and card data are
// overwritten, and both counters move on so that no late result of this citizen lands on the next.
func (s *session) wipe() {
	if s.cancel != nil {
		s.cancel()
	}
	for _, d := range s.docs {
		if d.status == wire.DocProcessing {
			continue // an OCR job may still be reading these pixels; they are only dropped
		}
		clearPages(d.pages)
		if d.result != nil {
			clear(d.result.PDF)
		}
	}
	if s.citizen != nil {
		s.citizen.Citizen = identity.Citizen{}
	}
	if s.dossier != nil {
		for _, d := range s.dossier.Documents {
			clear(d.PDF)
		}
	}
	if s.m.dev.QR != nil {
		s.m.dev.QR.Forget()
	}
	*s = session{m: s.m, waitSeq: s.waitSeq + 1, citizenSeq: s.citizenSeq + 1, state: wire.Attract}
	s.ctx, s.cancel = context.WithCancel(context.Background())
}

// clearPages overwrites what the kiosk kept of scanned pages: previews and cleaned pages.
func clearPages(pages []*Prepared) {
	for _, p := range pages {
		clearImage(p.Preview)
		if p.Work != nil {
			p.Work.Clear()
		}
	}
}

// clearImage overwrites the pixels of the image types scanners produce.
func clearImage(img image.Image) {
	switch p := img.(type) {
	case *image.Gray:
		clear(p.Pix)
	case *image.RGBA:
		clear(p.Pix)
	case *image.NRGBA:
		clear(p.Pix)
	case *image.YCbCr:
		clear(p.Y)
		clear(p.Cb)
		clear(p.Cr)
	}
}
