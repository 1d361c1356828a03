package session

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/kiosk/catalog"
)

func TestCheckField(t *testing.T) {
	for _, c := range []struct {
		f   catalog.Field
		v   string
		bad bool
	}{
		{catalog.Field{Kind: "text", Required: true}, "", true},
		{catalog.Field{Kind: "text"}, "", false},
		{catalog.Field{Kind: "date"}, "10/11/2026", false},
		{catalog.Field{Kind: "date"}, "2026-11-10", false},
		{catalog.Field{Kind: "date"}, "31/02/2026", true},
		{catalog.Field{Kind: "date"}, "hôm qua", true},
		{catalog.Field{Kind: "number"}, "079092001234", false},
		{catalog.Field{Kind: "number"}, "0912 345 678", false},
		{catalog.Field{Kind: "number"}, "12a", true},
		{catalog.Field{Kind: "choice", Choices: []string{"Nam", "Nữ"}}, "Nữ", false},
		{catalog.Field{Kind: "choice", Choices: []string{"Nam", "Nữ"}}, "Khác", true},
	} {
		err := checkField(c.f, c.v)
		if (err != nil) != c.bad || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%s %q: %v", c.f.Kind, c.v, err)
		}
	}
}

func TestCardMessages(t *testing.T) {
	for err, code := range map[error]string{
		fmt.Errorf("read: %w", apdu.ErrCardRemoved): "card_removed",
		fmt.Errorf("open: %w", apdu.ErrReaderGone):  "reader_gone",
		errors.New("6300"):                          "card_unreadable",
	} {
		m := cardMessage(err)
		if m.Code != code || m.Vi == "" || m.En == "" {
			t.Errorf("%v: %+v", err, m)
		}
	}
}

func TestDisplayValue(t *testing.T) {
	if got := displayValue(catalog.Field{Kind: "date"}, "2026-11-10"); got != "10/11/2026" {
		t.Fatal(got)
	}
	if got := displayValue(catalog.Field{Kind: "text"}, "2026-11-10"); got != "2026-11-10" {
		t.Fatal(got)
	}
}
