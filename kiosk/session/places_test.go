package session

import (
	"errors"
	"github.com/tramso/tramso/kiosk/api/wire"
	"slices"
	"testing"

	"github.com/tramso/tramso/kiosk/catalog"
)

// Address fields are picked from lists: the province among the catalogue's, the commune among that
// province's (typed where the catalogue lists none), and changing the province drops a commune that
// is not in it.
func TestAddressFieldsFromPlaces(t *testing.T) {
	cat := catalog.Starter()
	proc, err := cat.Get("1.004194")
	if err != nil {
		t.Fatal(err)
	}
	m := New(Config{}, Devices{}, func() *catalog.Catalogue { return cat })
	s := &session{m: m, state: wire.Review, step: wire.StepEditing}
	for _, f := range proc.Fields {
		s.form = append(s.form, &formField{def: f})
	}
	field := func(key string) wire.FieldView {
		for _, f := range s.view().Form {
			if f.Key == key {
				return f
			}
		}
		t.Fatalf("no field %s", key)
		return wire.FieldView{}
	}
	set := func(key, v string) error { return s.actReview(Action{Action: wire.ActSetField, Key: key, Value: v}) }

	prov := field("newProvince")
	if prov.Kind != "choice" || len(prov.Choices) != 34 || !slices.Contains(prov.Choices, "Thành phố Hà Nội") {
		t.Fatalf("province field: kind %q, %d choices", prov.Kind, len(prov.Choices))
	}
	if err := set("newProvince", "Tỉnh Hà Tây"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a province not in the list: %v", err)
	}
	if err := set("newProvince", "Thành phố Hà Nội"); err != nil {
		t.Fatal(err)
	}
	commune := field("newCommune")
	if commune.Kind != "choice" || !slices.Contains(commune.Choices, "Phường Thanh Xuân") {
		t.Fatalf("Hanoi's communes: kind %q, choices %q", commune.Kind, commune.Choices)
	}
	if err := set("newCommune", "Phường Bến Thành"); !errors.Is(err, ErrInvalid) {
		t.Errorf("a ward of another province accepted: %v", err)
	}
	if err := set("newCommune", "Phường Thanh Xuân"); err != nil {
		t.Fatal(err)
	}
	// Another province, whose communes the catalogue does not list: the commune is typed.
	if err := set("newProvince", "Tỉnh Cà Mau"); err != nil {
		t.Fatal(err)
	}
	commune = field("newCommune")
	if commune.Kind != "text" || commune.Value != "" {
		t.Errorf("after changing the province: kind %q, value %q (want text, emptied)", commune.Kind, commune.Value)
	}
	if err := set("newCommune", "Phường An Xuyên"); err != nil {
		t.Errorf("a typed commune: %v", err)
	}
}
