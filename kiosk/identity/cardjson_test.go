//go:build !nosim

package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/pn532/pn532sim"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// The JSON form of a read is today's `card read --json` output, byte for byte: the golden was
// written by the code before the model and the wire format were separated.
func TestCardJSONMatchesGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/card-read.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, citizenFile, SimOptions{}, pn532sim.Config{})
	key, _, err := KeyFromQR(qrOf(t, r.card.Citizen))
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.read(t, ctxT(t, 20*time.Second), key, Options{Trust: r.trust})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetIndent("", "  ") // as kioskctl card read --json
	if err := enc.Encode(res.JSON()); err != nil {
		t.Fatal(err)
	}
	// The byte count varies by a few bytes from read to read (the chip's signatures and nonces are
	// random, and a DER signature's length with them); everything else is fixed.
	count := regexp.MustCompile(`"bytes": [0-9]+`)
	if g, w := count.ReplaceAll(got.Bytes(), []byte(`"bytes": N`)), count.ReplaceAll(want, []byte(`"bytes": N`)); !bytes.Equal(g, w) {
		t.Fatalf("card read JSON changed:\n%s\nwant\n%s", got.Bytes(), want)
	}
	// The model is typed: the dates are calendar days, the results the wire vocabulary.
	if res.Citizen.DateOfBirth != (Date{1989, time.March, 2}) || res.Citizen.ExpiryDate != (Date{2029, time.March, 2}) ||
		res.PassiveAuth != wire.PassiveValid || res.ChipAuth != wire.ChipCAValid {
		t.Fatalf("model %+v", res)
	}
	// And back: the JSON form parses to the same model.
	var j CardJSON
	if err := json.Unmarshal(got.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	back, err := j.Result()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, res) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, res)
	}
}

// The model carries no JSON keys of its own: marshalling it directly does not give the
// contract's shape, so nobody can print it by mistake and call it the wire format.
func TestModelIsNotTheWireFormat(t *testing.T) {
	res := &Result{PassiveAuth: wire.PassiveValid, Citizen: Citizen{FullName: "Trần Văn Ẩn", DateOfBirth: Date{1992, 2, 3}}}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(`"passiveAuth"`)) || bytes.Contains(b, []byte(`"fullName"`)) {
		t.Fatalf("model marshals like the wire format: %s", b)
	}
	j, _ := json.Marshal(res.JSON())
	if !bytes.Contains(j, []byte(`"dateOfBirth":"1992-02-03"`)) || !bytes.Contains(j, []byte(`"expiryDate":""`)) {
		t.Fatalf("wire form %s", j)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]Date{"": {}, "2020-03-05": {2020, 3, 5}, "2024-02-29": {2024, 2, 29}} {
		got, err := ParseDate(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseDate(%q) = %v, %v (string %q)", in, got, err, got.String())
		}
	}
	for _, bad := range []string{"05/03/2020", "2021-02-29", "2020-13-01", "20200305", "2020-3-5"} {
		if _, err := ParseDate(bad); !errors.Is(err, ErrDate) {
			t.Errorf("ParseDate(%q) accepted: %v", bad, err)
		}
	}
	j := CardJSON{}
	j.Citizen.DateOfBirth = "02/03/1989"
	if _, err := j.Result(); !errors.Is(err, ErrDate) {
		t.Fatalf("JSON with a DD/MM/YYYY date: %v", err)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"", "2020-03-05", "2024-02-29", "2021-02-29", "05/03/2020", "9999-12-31", "0000-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if !errors.Is(err, ErrDate) || !d.IsZero() {
				t.Fatalf("%q: %v %v", s, d, err)
			}
			return
		}
		if d.String() != s { // a parsed date prints back as it was written
			t.Fatalf("%q → %v", s, d)
		}
	})
}
