package session

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/internal/errtext"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// A value the catalogue's field refuses is an ErrInvalid whose text, shown at the field, is the
// catalogue's reason alone: one sentence, Vietnamese then English; a good value is taken.
func TestFieldCheckedAsResolved(t *testing.T) {
	cat := catalog.Starter()
	s := &session{m: New(Config{}, Devices{}, func() *catalog.Catalogue { return cat })}
	for _, c := range []struct {
		f    catalog.Field
		v    string
		want string // the error's text; "" when the value is good
	}{
		{catalog.Field{Kind: wire.FieldText, Required: true}, " ", "bắt buộc (required field)"},
		{catalog.Field{Kind: wire.FieldDate}, "31/02/2026", "ngày dạng dd/mm/yyyy (date as dd/mm/yyyy)"},
		{catalog.Field{Kind: wire.FieldNumber}, "12a", "chỉ gồm chữ số (digits only)"},
		{catalog.Field{Kind: wire.FieldSex}, "Khác", "chọn một trong danh sách (pick one of the choices)"},
		{catalog.Field{Kind: wire.FieldSex}, "Nữ", ""},
		{catalog.Field{Kind: wire.FieldProvince}, "Thành phố Hà Nội", ""},
		{catalog.Field{Kind: wire.FieldProvince}, "Tỉnh Hà Tây", "chọn một trong danh sách (pick one of the choices)"},
	} {
		err := s.check(c.f, c.v)
		var ve *catalog.ValueError
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %q refused: %v", c.f.Kind, c.v, err)
		case c.want != "" && (!errors.Is(err, ErrInvalid) || !errors.As(err, &ve) || err.Error() != c.want):
			t.Errorf("%s %q: %v, want %q", c.f.Kind, c.v, err, c.want)
		case c.want != "":
			if werr := errtext.Check(err); werr != nil {
				t.Error(werr)
			}
		}
	}
}

// Every refusal of an identify, choose or review action is an ErrInvalid that reads as one
// sentence, the reason, and the same text is what the field shows; other refusals are not ErrInvalid.
func TestRefusalsAreOneSentence(t *testing.T) {
	cat := catalog.Starter()
	m := New(Config{}, Devices{}, func() *catalog.Catalogue { return cat })
	s := &session{m: m}
	for name, c := range map[string]struct {
		state wire.State
		a     Action
	}{
		"short ID number":   {wire.Identify, Action{Action: wire.ActEnterID, Value: "07909200"}},
		"malformed MRZ key": {wire.Identify, Action{Action: wire.ActEnterMRZ, Value: "C03005988"}},
		"bad MRZ dates":     {wire.Identify, Action{Action: wire.ActEnterMRZ, Value: "C03005988,9213,301231"}},
		"unknown procedure": {wire.ChooseProcedure, Action{Action: wire.ActChoose, Value: "9.999999"}},
		"unknown field":     {wire.Review, Action{Action: wire.ActSetField, Key: "no-such-field", Value: "x"}},
	} {
		s.state, s.step = c.state, ""
		err := s.act(c.a)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
			continue
		}
		t.Logf("%s: %v", name, err)
		if werr := errtext.Check(err); werr != nil {
			t.Errorf("%s: %v", name, werr)
		}
		if strings.Contains(err.Error(), ErrInvalid.Error()) {
			t.Errorf("%s: %q repeats the generic sentence", name, err)
		}
	}
	// The catalogue's reason stays reachable; the refusal is no other kind of refusal.
	if err := refused(catalog.ErrNotFound); !errors.Is(err, catalog.ErrNotFound) || errors.Is(err, ErrNotNow) || errors.Is(err, ErrStale) {
		t.Errorf("refused(ErrNotFound) matches wrongly: %v", err)
	}
	// On the review screen the field shows the same one sentence, and confirming names no second one.
	s.state, s.step = wire.Review, wire.StepEditing
	s.form = []*formField{{def: catalog.Field{Key: "ngay", Kind: wire.FieldDate, Required: true}}}
	if err := s.act(Action{Action: wire.ActSetField, Key: "ngay", Value: "31/02/2026"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad date taken: %v", err)
	}
	if got := s.form[0].err; got != "ngày dạng dd/mm/yyyy (date as dd/mm/yyyy)" {
		t.Errorf("the field shows %q", got)
	}
	err := s.act(Action{Action: wire.ActConfirm})
	if !errors.Is(err, ErrInvalid) || errtext.Check(err) != nil || s.form[0].err != "bắt buộc (required field)" {
		t.Errorf("confirm: %v; the field shows %q", err, s.form[0].err)
	}
}

// Every card source a catalogue may name fills its field from the card, each from its own data.
func TestEveryFromFillsFromTheCard(t *testing.T) {
	c := identity.Citizen{FullName: "Trần Văn Ẩn", IDNumber: "079092001234", DateOfBirth: identity.Date{Year: 1992, Month: 2, Day: 3}, Sex: cccd.SexMale,
		PlaceOfResidence: "Phường Ô Chợ Dừa, Hà Nội", PlaceOfOrigin: "Xã Đông Hòa, Thái Bình", Nationality: "Việt Nam", Ethnicity: "Kinh"}
	seen := map[string]catalog.From{}
	for _, f := range []catalog.From{catalog.FromFullName, catalog.FromIDNumber, catalog.FromDateOfBirth, catalog.FromSex,
		catalog.FromPlaceOfResidence, catalog.FromPlaceOfOrigin, catalog.FromNationality, catalog.FromEthnicity} {
		if !f.Known() {
			t.Errorf("%s is not known to the catalogue", f)
		}
		v := cardValue(f, c)
		if v == "" {
			t.Errorf("%s fills nothing", f)
		} else if o, dup := seen[v]; dup {
			t.Errorf("%s and %s fill the same data %q", f, o, v)
		}
		seen[v] = f
	}
	if v := cardValue("citizen.phone", c); v != "" {
		t.Errorf("an unknown source filled %q", v)
	}
	if catalog.SexMale != cccd.SexMale || catalog.SexFemale != cccd.SexFemale {
		t.Errorf("a sex field's choices %q, %q are not the card's %q, %q", catalog.SexMale, catalog.SexFemale, cccd.SexMale, cccd.SexFemale)
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
