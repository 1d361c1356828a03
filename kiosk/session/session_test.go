package session

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/cccd"
	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/identity"
)

// A value the catalogue's field refuses is an ErrInvalid whose text, shown at the field, says why
// in Vietnamese and English; a good value is taken.
func TestFieldCheckedAsResolved(t *testing.T) {
	cat := catalog.Starter()
	s := &session{m: New(Config{}, Devices{}, func() *catalog.Catalogue { return cat })}
	for _, c := range []struct {
		f    catalog.Field
		v    string
		want string // the error's text; "" when the value is good
	}{
		{catalog.Field{Kind: wire.FieldText, Required: true}, " ", "giá trị không hợp lệ (invalid value): bắt buộc (required)"},
		{catalog.Field{Kind: wire.FieldDate}, "31/02/2026", "giá trị không hợp lệ (invalid value): ngày dạng dd/mm/yyyy (date as dd/mm/yyyy)"},
		{catalog.Field{Kind: wire.FieldNumber}, "12a", "giá trị không hợp lệ (invalid value): chỉ gồm chữ số (digits only)"},
		{catalog.Field{Kind: wire.FieldSex}, "Khác", "giá trị không hợp lệ (invalid value): chọn một trong danh sách (pick one of the choices)"},
		{catalog.Field{Kind: wire.FieldSex}, "Nữ", ""},
		{catalog.Field{Kind: wire.FieldProvince}, "Thành phố Hà Nội", ""},
		{catalog.Field{Kind: wire.FieldProvince}, "Tỉnh Hà Tây", "giá trị không hợp lệ (invalid value): chọn một trong danh sách (pick one of the choices)"},
	} {
		err := s.check(c.f, c.v)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %q refused: %v", c.f.Kind, c.v, err)
		case c.want != "" && (!errors.Is(err, ErrInvalid) || err.Error() != c.want):
			t.Errorf("%s %q: %v, want %q", c.f.Kind, c.v, err, c.want)
		}
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
