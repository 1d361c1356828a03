package pdf

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// ChildEnv is the environment variable that puts a program into PDF rendering child mode: a
// program that supports Render calls ServeChild when it is set (see ServeChild).
const ChildEnv = "TRAMSO_PDF_CHILD"

// Limits bound what a rendering child may use and what the parent accepts from it.
type Limits struct {
	Timeout   time.Duration // whole document; default 60 s
	CPU       time.Duration // CPU seconds of the child; default 60 s
	Memory    uint64        // address space of the child, bytes; default 2 GiB
	MaxPages  int           // default 500
	MaxPixels int           // per rendered page; default 40 megapixels (the DPI is lowered to fit)
	MaxInput  int64         // PDF size; default 256 MiB
	// MaxTotalPixels bounds the pixels of all pages held at once (4 bytes each); pages past it
	// come back with ErrTooLarge instead of an image. Default 300 megapixels: about 34 A4 pages at
	// 300 dpi, 1.2 GB.
	MaxTotalPixels int
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = 60 * time.Second
	}
	if l.CPU <= 0 {
		l.CPU = 60 * time.Second
	}
	if l.Memory == 0 {
		l.Memory = 2 << 30
	}
	if l.MaxPages <= 0 {
		l.MaxPages = 500
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = 40_000_000
	}
	if l.MaxInput <= 0 {
		l.MaxInput = 256 << 20
	}
	if l.MaxTotalPixels <= 0 {
		l.MaxTotalPixels = 300_000_000
	}
	return l
}

// Rendered is one page of a PDF rasterised by the child.
type Rendered struct {
	Image *image.RGBA // nil when the page failed
	DPI   float64
	Text  string // the page's own text layer, if any
	Err   error  // why this page failed (the other pages may still be good)
}

// Errors of reading a PDF.
var (
	ErrBadPDF     = errors.New("tệp PDF bị hỏng hoặc không đọc được (corrupt or unreadable PDF)")
	ErrPDFTimeout = errors.New("đọc PDF quá lâu, đã dừng (PDF took too long to read, stopped)")
	ErrChild      = errors.New("tiến trình đọc PDF bị lỗi (PDF reader process failed)")
	ErrTooLarge   = errors.New("tài liệu quá nhiều trang để xử lý một lần, hãy chia nhỏ tệp (document too large to process at once; split the file)")
)

// Renderer rasterises PDFs in a child process so a hostile PDF cannot crash or hang the caller.
type Renderer struct {
	// Command starts the child: normally the current executable and the arguments that lead it to
	// call ServeChild when ChildEnv is set.
	Command []string
	Limits  Limits
}

const frameMagic = "TPDF1"

// Render rasterises every page of the PDF data at dpi.
func (r *Renderer) Render(ctx context.Context, data []byte, dpi float64) ([]Rendered, error) {
	lim := r.Limits.withDefaults()
	if int64(len(data)) > lim.MaxInput {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadPDF, len(data))
	}
	if !bytes.Contains(data[:min(len(data), 1024)], []byte("%PDF")) {
		return nil, fmt.Errorf("%w: không có đầu tệp %%PDF (no %%PDF header)", ErrBadPDF)
	}
	if len(r.Command) == 0 {
		return nil, fmt.Errorf("%w: no child command", ErrChild)
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.Command[0], r.Command[1:]...)
	cmd.Env = append(os.Environ(),
		ChildEnv+"="+strconv.FormatFloat(dpi, 'f', -1, 64)+","+strconv.Itoa(int(lim.CPU/time.Second))+","+strconv.FormatUint(lim.Memory, 10)+","+strconv.Itoa(lim.MaxPages)+","+strconv.Itoa(lim.MaxPixels))
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChild, err)
	}
	pages, perr := ParseFrames(bufio.NewReaderSize(out, 1<<20), lim)
	io.Copy(io.Discard, out)
	werr := cmd.Wait()
	if ctx.Err() == context.DeadlineExceeded {
		return pages, ErrPDFTimeout
	}
	if err := ctx.Err(); err != nil {
		return pages, err
	}
	if errors.Is(perr, ErrTooLarge) {
		return pages, perr
	}
	if perr != nil {
		if werr != nil {
			return pages, fmt.Errorf("%w: %w (%v)", ErrBadPDF, perr, werr)
		}
		return pages, fmt.Errorf("%w: %w", ErrBadPDF, perr)
	}
	if werr != nil {
		return pages, fmt.Errorf("%w: %w", ErrChild, werr)
	}
	return pages, nil
}

// ParseFrames reads the child's output: the magic, a page count, then per page either an error
// message or width, height, DPI, text and RGB pixels, all bounded by lim.
func ParseFrames(r io.Reader, lim Limits) ([]Rendered, error) {
	lim = lim.withDefaults()
	var magic [len(frameMagic)]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != frameMagic {
		if err == nil {
			err = errors.New("bad magic")
		}
		return nil, fmt.Errorf("frame header: %w", err)
	}
	var hdr [8]byte
	read := func(n int) ([]byte, error) {
		if _, err := io.ReadFull(r, hdr[:n]); err != nil {
			return nil, err
		}
		return hdr[:n], nil
	}
	b, err := read(4)
	if err != nil {
		return nil, fmt.Errorf("page count: %w", err)
	}
	n := int(binary.BigEndian.Uint32(b))
	if n < 0 || n > lim.MaxPages {
		return nil, fmt.Errorf("%w: %d > %d", ErrTooLarge, n, lim.MaxPages)
	}
	var pages []Rendered
	total := 0
	for i := 0; i < n; i++ {
		b, err := read(1)
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		status := b[0]
		b, err = read(4)
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		tl := binary.BigEndian.Uint32(b)
		if tl > 1<<20 {
			return pages, fmt.Errorf("page %d: text length %d", i+1, tl)
		}
		text := make([]byte, tl)
		if _, err := io.ReadFull(r, text); err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		if status != 0 {
			pages = append(pages, Rendered{Err: fmt.Errorf("%w: trang %d (page %d)", ErrBadPDF, i+1, i+1)})
			continue
		}
		b, err = read(8)
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		w, h := int(binary.BigEndian.Uint32(b)), int(binary.BigEndian.Uint32(b[4:]))
		b, err = read(4)
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		dpi := float64(binary.BigEndian.Uint32(b)) / 100
		if w <= 0 || h <= 0 || w > 1<<16 || h > 1<<16 || w*h > lim.MaxPixels || dpi <= 0 {
			return pages, fmt.Errorf("page %d: bad size %dx%d at %v dpi", i+1, w, h, dpi)
		}
		row := make([]byte, 3*w)
		if total += w * h; total > lim.MaxTotalPixels {
			// Past the budget: the page is read and dropped, so memory stays bounded.
			for y := 0; y < h; y++ {
				if _, err := io.ReadFull(r, row); err != nil {
					return pages, fmt.Errorf("page %d: %w", i+1, err)
				}
			}
			pages = append(pages, Rendered{Err: fmt.Errorf("%w: trang %d (page %d)", ErrTooLarge, i+1, i+1)})
			continue
		}
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			if _, err := io.ReadFull(r, row); err != nil {
				return pages, fmt.Errorf("page %d: %w", i+1, err)
			}
			o := img.Pix[y*img.Stride:]
			for x := 0; x < w; x++ {
				o[4*x], o[4*x+1], o[4*x+2], o[4*x+3] = row[3*x], row[3*x+1], row[3*x+2], 255
			}
		}
		pages = append(pages, Rendered{Image: img, DPI: dpi, Text: string(text)})
	}
	return pages, nil
}
