package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWrite(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	for _, s := range []string{"first", "second, longer"} {
		if err := Write(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		st, _ := os.Stat(p)
		if string(b) != s || st.Mode().Perm() != 0o600 {
			t.Fatalf("%q %v", b, st.Mode())
		}
	}
	noTemps(t, filepath.Dir(p))
	if err := Write(filepath.Join(t.TempDir(), "missing", "f"), nil, 0o600); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
}

// noTemps fails when dir holds a temporary file of this package.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(dir, TempPrefix+"*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestWriteFuncStreams(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	err := WriteFunc(p, 0o644, func(w io.Writer) error {
		for range 16 {
			if _, err := w.Write(chunk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if len(b) != 16*len(chunk) || !bytes.Equal(b[:len(chunk)], chunk) || st.Mode().Perm() != 0o644 {
		t.Fatalf("%d bytes, mode %v", len(b), st.Mode())
	}
	noTemps(t, filepath.Dir(p))
}

// TestFailedWriterKeepsOldFile: a writer that fails half-way leaves the old content whole and no
// temporary file behind.
func TestFailedWriterKeepsOldFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := Write(p, []byte("old content"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk pulled")
	err := WriteFunc(p, 0o600, func(w io.Writer) error {
		w.Write([]byte("new cont"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the writer's", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old content" {
		t.Fatalf("after a failed write: %q", b)
	}
	noTemps(t, filepath.Dir(p))

	f, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("never committed"))
	if err := f.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("write after Abort succeeded")
	}
	if err := f.Commit(); err == nil {
		t.Error("commit after Abort succeeded")
	}
	if b, _ := os.ReadFile(p); string(b) != "old content" {
		t.Fatalf("after Abort: %q", b)
	}
	noTemps(t, filepath.Dir(p))
}

func TestCommitNewKeepsExisting(t *testing.T) {
	p := filepath.Join(t.TempDir(), "key")
	for i, s := range []string{"first", "second"} {
		f, err := Create(p, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(s))
		err = f.CommitNew()
		if i == 0 && err != nil {
			t.Fatal(err)
		}
		if i == 1 && !errors.Is(err, os.ErrExist) {
			t.Fatalf("second CommitNew: %v, want os.ErrExist", err)
		}
	}
	if b, _ := os.ReadFile(p); string(b) != "first" {
		t.Fatalf("%q, want the first content kept", b)
	}
	noTemps(t, filepath.Dir(p))
}

func TestRename(t *testing.T) {
	dir := t.TempDir()
	part, final := filepath.Join(dir, "sub", "x.part"), filepath.Join(dir, "x")
	os.Mkdir(filepath.Dir(part), 0o700)
	os.WriteFile(part, []byte("done"), 0o600)
	os.WriteFile(final, []byte("old"), 0o600)
	if err := Rename(part, final); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(final); string(b) != "done" {
		t.Fatalf("%q", b)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Fatalf("the part file is still there: %v", err)
	}
	if err := Rename(part, final); err == nil {
		t.Fatal("renaming a missing file succeeded")
	}
	if b, _ := os.ReadFile(final); string(b) != "done" {
		t.Fatalf("a failed rename changed the file: %q", b)
	}
}

// TestCrash kills a writing process with SIGKILL, as a power cut would stop it, before and after
// the rename: the file is whole, old or new, never torn, and a leftover is a temporary file only.
func TestCrash(t *testing.T) {
	if p := os.Getenv("ATOMICFILE_CRASH_PATH"); p != "" {
		crashWriter(p, os.Getenv("ATOMICFILE_CRASH_AT"))
		return
	}
	old := bytes.Repeat([]byte("old "), 1000)
	for _, tc := range []struct {
		at, want string
		temp     bool
	}{
		{"mid-write", "old", true},
		{"before-rename", "old", true},
		{"after-rename", "new", false},
	} {
		t.Run(tc.at, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "f")
			if err := Write(p, old, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$")
			cmd.Env = append(os.Environ(), "ATOMICFILE_CRASH_PATH="+p, "ATOMICFILE_CRASH_AT="+tc.at)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("writer not killed: %v\n%s", err, out)
			}
			b, _ := os.ReadFile(p)
			switch tc.want {
			case "old":
				if !bytes.Equal(b, old) {
					t.Fatalf("old file torn: %d bytes %q…", len(b), b[:min(len(b), 16)])
				}
			case "new":
				if len(b) != 8000 || strings.Trim(string(b), "new ") != "" {
					t.Fatalf("new file torn: %d bytes", len(b))
				}
			}
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), TempPrefix+"*"))
			if (len(left) == 1) != tc.temp {
				t.Fatalf("temporary files after the crash: %v", left)
			}
		})
	}
}

// crashWriter replaces path with 8000 bytes and kills its own process at the point named.
func crashWriter(path, at string) {
	kill := func() {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	f, err := Create(path, 0o600)
	if err != nil {
		os.Exit(3)
	}
	f.Write(bytes.Repeat([]byte("new "), 1000))
	if at == "mid-write" {
		kill()
	}
	f.Write(bytes.Repeat([]byte("new "), 1000))
	switch at {
	case "before-rename":
		f.BeforeRename = kill
	case "after-rename":
		f.AfterRename = kill
	}
	f.Commit()
	os.Exit(4)
}
