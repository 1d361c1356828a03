package outbox

import (
	"context"
	"crypto/rand"
	"testing"
)

// ForgetIdentityForTest removes the database identity of the store in dir, as a store made before
// seals existed has none.
func ForgetIdentityForTest(ctx context.Context, dir string) error {
	db, err := openDB(ctx, dbPath(dir))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "DELETE FROM meta WHERE k='db_id'")
	return err
}

// FuzzParseSeal: a seal file is outside bytes (anyone with the disk can edit it). Whatever it
// holds, parsing never panics, and only a file made with the key parses.
func FuzzParseSeal(f *testing.F) {
	key := make([]byte, 32)
	k := sealKey(key)
	f.Add(encodeSeal(k, sealRecord{DBID: "0123456789abcdef0123456789abcdef", Day: "261207", Seq: 12}))
	f.Add(encodeSeal(k, sealRecord{DBID: "0123456789abcdef0123456789abcdef"}))
	f.Add([]byte("{\"v\":1}\n00\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := parseSeal(k, raw)
		if err != nil {
			return
		}
		// What parses re-encodes to a seal that parses to the same record.
		again, err := parseSeal(k, encodeSeal(k, m))
		if err != nil || again != m {
			t.Fatalf("round trip: %+v %+v %v", m, again, err)
		}
		other := make([]byte, 32)
		rand.Read(other)
		if _, err := parseSeal(sealKey(other), raw); err == nil {
			t.Fatal("seal parsed with another key")
		}
	})
}
