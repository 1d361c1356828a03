package escpos_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/tramso/tramso/drivers/escpos"
	"github.com/tramso/tramso/internal/errtext"
)

// Whatever the printer reports, "not ready" reads as one bilingual sentence, the printer's
// ErrNotReady, with the conditions after it in English; Problems keeps them bilingual for people.
func TestNotReadyIsOneSentence(t *testing.T) {
	for name, st := range map[string]escpos.Status{
		"offline":        {},
		"cover open":     {Online: true, CoverOpen: true},
		"paper out":      {Online: true, PaperEnd: true, StoppedByEnd: true},
		"cutter":         {Online: true, Error: true, CutterError: true},
		"unrecoverable":  {Online: true, Error: true, Unrecoverable: true},
		"hot head":       {Online: true, AutoRecoverable: true},
		"error":          {Online: true, Error: true},
		"everything":     {CoverOpen: true, PaperEnd: true, PaperNearEnd: true, FeedButton: true, Error: true, CutterError: true},
		"feed, near end": {FeedButton: true, PaperNearEnd: true},
	} {
		err := escpos.NotReady(st)
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", name, werr)
		}
		if !errors.Is(err, escpos.ErrNotReady) || !strings.HasPrefix(err.Error(), escpos.ErrNotReady.Error()+": ") {
			t.Errorf("%s: %q does not start with ErrNotReady", name, err)
		}
		d := st.Detail()
		if d == "" || strings.ContainsFunc(d, func(r rune) bool { return r > unicode.MaxASCII }) {
			t.Errorf("%s: detail %q is not English", name, d)
		}
		if len(st.Problems()) != strings.Count(d, ";")+1 {
			t.Errorf("%s: detail %q lost a condition of %q", name, d, st.Problems())
		}
	}
}
