package outbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Encryption at rest. Rows: AES-256-GCM, random 96-bit nonce, the row's idempotency key as
// associated data. Attachment files: the same key in segments of segSize plaintext bytes, each sealed
// with nonce = 8-byte random file prefix ‖ 32-bit segment number and the last segment flagged in the
// associated data, so a file can be read at any offset (resumable uploads) and truncation is detected.

const (
	blobMagic  = "TRB1"
	blobHeader = len(blobMagic) + 8
	segSize    = 64 << 10
	tagSize    = 16
)

// ErrDecrypt means stored data does not decrypt with the kiosk's storage key: wrong key file or damage.
var ErrDecrypt = errors.New("dữ liệu lưu không giải mã được, sai khóa hoặc hỏng (stored data does not decrypt: wrong key or damaged)")

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("khóa lưu trữ không hợp lệ (invalid storage key): %w", err)
	}
	return cipher.NewGCM(block)
}

func seal(aead cipher.AEAD, plain, ad []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+tagSize)
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return aead.Seal(nonce, nonce, plain, ad)
}

func open(aead cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(sealed) < ns+tagSize {
		return nil, ErrDecrypt
	}
	p, err := aead.Open(nil, sealed[:ns], sealed[ns:], ad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return p, nil
}

func segAD(prefix []byte, last bool) []byte {
	ad := append([]byte(blobMagic), prefix...)
	if last {
		return append(ad, 1)
	}
	return append(ad, 0)
}

func segNonce(prefix []byte, i int) []byte {
	n := make([]byte, 12)
	copy(n, prefix)
	binary.BigEndian.PutUint32(n[8:], uint32(i))
	return n
}

// encryptBlob writes the encrypted form of plain to w.
func encryptBlob(aead cipher.AEAD, w io.Writer, plain []byte) error {
	hdr := make([]byte, blobHeader)
	copy(hdr, blobMagic)
	if _, err := rand.Read(hdr[len(blobMagic):]); err != nil {
		return err
	}
	prefix := hdr[len(blobMagic):]
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 0, segSize+tagSize)
	for i := 0; ; i++ {
		end := min(len(plain), (i+1)*segSize)
		last := end == len(plain)
		buf = aead.Seal(buf[:0], segNonce(prefix, i), plain[i*segSize:end], segAD(prefix, last))
		if _, err := w.Write(buf); err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}

// blobReader decrypts an attachment file at any offset. It is not safe for concurrent use.
type blobReader struct {
	f      *os.File
	aead   cipher.AEAD
	prefix []byte
	nseg   int
	size   int64

	mu     sync.Mutex
	cached int // segment number in plain, -1 if none
	plain  []byte
	cipher []byte
}

func openBlob(aead cipher.AEAD, path string) (*blobReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("không mở được tệp đính kèm (cannot open attachment file): %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	hdr := make([]byte, blobHeader)
	if _, err := io.ReadFull(f, hdr); err != nil || string(hdr[:len(blobMagic)]) != blobMagic {
		f.Close()
		return nil, fmt.Errorf("%w: bad header", ErrDecrypt)
	}
	body := st.Size() - int64(blobHeader)
	nseg := int((body + segSize + tagSize - 1) / (segSize + tagSize))
	if nseg == 0 {
		f.Close()
		return nil, fmt.Errorf("%w: truncated", ErrDecrypt)
	}
	r := &blobReader{f: f, aead: aead, prefix: hdr[len(blobMagic):], nseg: nseg,
		size: body - int64(nseg)*tagSize, cached: -1}
	// The last segment must carry the last flag, or the file was cut at a segment boundary.
	if _, err := r.segment(nseg - 1); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// Size is the plaintext size.
func (r *blobReader) Size() int64 { return r.size }

func (r *blobReader) segment(i int) ([]byte, error) {
	if r.cached == i {
		return r.plain, nil
	}
	off := int64(blobHeader) + int64(i)*(segSize+tagSize)
	n := segSize + tagSize
	if i == r.nseg-1 {
		n = int(r.size - int64(i)*segSize + tagSize)
	}
	if cap(r.cipher) < n {
		r.cipher = make([]byte, n)
	}
	c := r.cipher[:n]
	if _, err := r.f.ReadAt(c, off); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecrypt, err)
	}
	p, err := r.aead.Open(r.plain[:0], segNonce(r.prefix, i), c, segAD(r.prefix, i == r.nseg-1))
	if err != nil {
		r.cached = -1
		return nil, ErrDecrypt
	}
	r.plain, r.cached = p, i
	return p, nil
}

// ReadAt implements io.ReaderAt over the plaintext.
func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		i := int(pos / segSize)
		seg, err := r.segment(i)
		if err != nil {
			return n, err
		}
		n += copy(p[n:], seg[pos-int64(i)*segSize:])
	}
	return n, nil
}

// Close closes the file.
func (r *blobReader) Close() error { return r.f.Close() }
