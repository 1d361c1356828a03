// Package atomicfile writes files so that a crash or power cut leaves either the old file or the
// new one, never a torn one: temp file → fsync → rename → fsync(dir).
//
// Write replaces a file with bytes held in memory; WriteFunc and Create stream the content, so a
// large file need not be held whole; Rename publishes a file written some other way (by a child
// process, or piece by piece across requests).
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// TempPrefix begins the name of every temporary file this package makes, in the folder of the file
// it will replace. A folder's owner may sweep leftovers of a crash by it.
const TempPrefix = ".tmp-"

// Write replaces path with data, with the given permissions.
func Write(path string, data []byte, mode os.FileMode) error {
	return WriteFunc(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteFunc replaces path with what write writes, with the given permissions. When write fails
// (or anything before the rename does), path is left as it was and the temporary file is removed.
func WriteFunc(path string, mode os.FileMode, write func(w io.Writer) error) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	return f.Commit()
}

// File is the new content of a file being written. Nothing is visible at its path until Commit;
// Abort (safe to defer, a no-op after Commit) throws the content away.
type File struct {
	tmp  *os.File
	path string
	mode os.FileMode
	done bool

	// BeforeRename and AfterRename, when set, run inside Commit once the content is synced, and
	// once it is renamed but its folder not yet synced: power-loss tests stop the process there.
	BeforeRename, AfterRename func()
}

// Create starts the replacement of path: a temporary file in path's folder, to be given mode.
func Create(path string, mode os.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), TempPrefix+"*")
	if err != nil {
		return nil, err
	}
	return &File{tmp: tmp, path: path, mode: mode}, nil
}

// Write appends p to the new content.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, os.ErrClosed
	}
	return f.tmp.Write(p)
}

// Abort throws the new content away and leaves path as it was. It does nothing after Commit.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	f.tmp.Close()
	return os.Remove(f.tmp.Name())
}

// finish gives the temporary file its mode, syncs and closes it.
func (f *File) finish() error {
	if f.done {
		return os.ErrClosed
	}
	f.done = true
	err := f.tmp.Chmod(f.mode)
	if err == nil {
		err = f.tmp.Sync()
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.tmp.Name())
	}
	return err
}

// Commit makes the new content the file at path, replacing any file there: fsync, rename,
// fsync of the folder. After an error, path holds the old content or (when only the folder
// sync failed) the new.
func (f *File) Commit() error {
	if err := f.finish(); err != nil {
		return err
	}
	if f.BeforeRename != nil {
		f.BeforeRename()
	}
	if err := os.Rename(f.tmp.Name(), f.path); err != nil {
		os.Remove(f.tmp.Name())
		return err
	}
	if f.AfterRename != nil {
		f.AfterRename()
	}
	return SyncDir(filepath.Dir(f.path))
}

// CommitNew makes the new content the file at path only if there is none yet (fsync, link,
// fsync of the folder). When a file is already there, it is kept and the error wraps
// os.ErrExist.
func (f *File) CommitNew() error {
	if err := f.finish(); err != nil {
		return err
	}
	defer os.Remove(f.tmp.Name())
	if f.BeforeRename != nil {
		f.BeforeRename()
	}
	if err := os.Link(f.tmp.Name(), f.path); err != nil {
		return err // an *os.LinkError: errors.Is(err, os.ErrExist) when path exists
	}
	if f.AfterRename != nil {
		f.AfterRename()
	}
	return SyncDir(filepath.Dir(f.path))
}

// Rename publishes a file already written at oldpath as newpath, replacing any file there: fsync
// of the file, rename, fsync of newpath's folder (and of oldpath's, when it is another).
func Rename(oldpath, newpath string) error {
	f, err := os.Open(oldpath)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", oldpath, err)
	}
	if err := os.Rename(oldpath, newpath); err != nil {
		return err
	}
	from, to := filepath.Dir(oldpath), filepath.Dir(newpath)
	err = SyncDir(to)
	if from != to {
		err = errors.Join(err, SyncDir(from))
	}
	return err
}

// SyncDir flushes a folder's entries (a rename, a new or removed file) to disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
