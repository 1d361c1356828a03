package catalog

import (
	"slices"
	"strings"
	"time"

	"github.com/tramso/tramso/kiosk/api/wire"
	"golang.org/x/text/unicode/norm"
)

// Field is one field of the procedure's form.
type Field struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Kind is text, date, number, choice (one of Choices), province (one of the catalogue's
	// provinces), commune (one of the communes of the province chosen in field Of; typed when the
	// catalogue lists none for it) or sex (Nam or Nữ, as the ID card writes it).
	Kind     wire.FieldKind `json:"kind"`
	Required bool           `json:"required"`
	Choices  []string       `json:"choices,omitempty"`
	Of       string         `json:"of,omitempty"` // commune: the key of its province field
	// From names the card data the kiosk fills the field from (one of the From constants). Empty:
	// the citizen types it (or the OCR of a scanned form proposes it).
	From From `json:"from,omitempty"`
}

// From names a piece of the citizen's chip card data a form field is filled from.
type From string

// The card data a field can be filled from (the CCCD's DG13, as kiosk/identity reads it).
const (
	FromFullName         From = "citizen.fullName"
	FromIDNumber         From = "citizen.idNumber"
	FromDateOfBirth      From = "citizen.dateOfBirth"
	FromSex              From = "citizen.sex"
	FromPlaceOfResidence From = "citizen.placeOfResidence"
	FromPlaceOfOrigin    From = "citizen.placeOfOrigin"
	FromNationality      From = "citizen.nationality"
	FromEthnicity        From = "citizen.ethnicity"
)

// Known reports whether f is one of the From constants.
func (f From) Known() bool {
	switch f {
	case FromFullName, FromIDNumber, FromDateOfBirth, FromSex, FromPlaceOfResidence, FromPlaceOfOrigin,
		FromNationality, FromEthnicity:
		return true
	}
	return false
}

// The choices of a sex field, as the ID card writes them (drivers/cccd's SexMale, SexFemale).
const (
	SexMale   = "Nam"
	SexFemale = "Nữ"
)

// knownKind reports whether k is a field kind the catalogue accepts.
func knownKind(k wire.FieldKind) bool {
	switch k {
	case wire.FieldText, wire.FieldDate, wire.FieldNumber, wire.FieldChoice, wire.FieldProvince, wire.FieldCommune, wire.FieldSex:
		return true
	}
	return false
}

// ValueError is a form value Field.Check refuses; Vi and En say why, to the citizen.
type ValueError struct {
	Vi, En string
}

func (e *ValueError) Error() string { return e.Vi + " (" + e.En + ")" }

// Check validates a value the citizen gave for f (surrounding spaces ignored): a required field
// must be filled; a date is dd/mm/yyyy (or yyyy-mm-dd, as the card and the OCR give it); a number
// is digits (spaces and + allowed, for phone numbers); a choice, a sex or a province is one of
// Choices, and so is a commune when Choices lists any. Province and commune fields are checked
// as Catalogue.Resolve returns them. The error is a *ValueError.
func (f Field) Check(value string) error {
	v := strings.TrimSpace(value)
	if v == "" {
		if f.Required {
			return &ValueError{"bắt buộc", "required field"}
		}
		return nil
	}
	switch f.Kind {
	case wire.FieldDate:
		if _, err := time.Parse("02/01/2006", v); err != nil {
			if _, err := time.Parse(time.DateOnly, v); err != nil {
				return &ValueError{"ngày dạng dd/mm/yyyy", "date as dd/mm/yyyy"}
			}
		}
	case wire.FieldNumber:
		if strings.Trim(v, "0123456789 +") != "" {
			return &ValueError{"chỉ gồm chữ số", "digits only"}
		}
	case wire.FieldCommune:
		if len(f.Choices) == 0 {
			return nil // typed: the catalogue lists no communes for the province
		}
		fallthrough
	case wire.FieldChoice, wire.FieldSex, wire.FieldProvince:
		if !slices.Contains(f.Choices, v) {
			return &ValueError{"chọn một trong danh sách", "pick one of the choices"}
		}
	}
	return nil
}

// Display writes a value given for f (by the card, the OCR) the way citizens read and type it:
// dates as dd/mm/yyyy; other values as they are.
func (f Field) Display(v string) string {
	if f.Kind == wire.FieldDate {
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format("02/01/2006")
		}
	}
	return v
}

// Resolve returns f as the citizen fills it in: a province field becomes a choice among the
// catalogue's provinces, a commune field a choice among the communes of the province chosen in its
// Of field (value gives a form field's current value by key), or text when the catalogue lists
// none for that province, and a sex field a choice of Nam, Nữ. Other fields are returned as
// they are.
func (c *Catalogue) Resolve(f Field, value func(key string) string) Field {
	switch f.Kind {
	case wire.FieldProvince:
		f.Kind, f.Choices = wire.FieldChoice, c.Provinces()
	case wire.FieldCommune:
		f.Kind, f.Choices = wire.FieldText, c.Communes(value(f.Of))
		if len(f.Choices) > 0 {
			f.Kind = wire.FieldChoice
		}
	case wire.FieldSex:
		f.Kind, f.Choices = wire.FieldChoice, []string{SexMale, SexFemale}
	}
	return f
}

// normAll returns ss in NFC.
func normAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = norm.NFC.String(strings.TrimSpace(s))
	}
	return out
}
