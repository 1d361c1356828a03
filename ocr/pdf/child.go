package pdf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/gen2brain/go-fitz"
	"golang.org/x/sys/unix"
)

// ServeChild is the body of the rendering child. When ChildEnv is set it applies the limits passed
// by the parent to its own process, reads a PDF from stdin, writes the rendered pages to stdout and
// returns true; the caller then exits with the returned code. When ChildEnv is not set it returns
// false and does nothing.
func ServeChild() (served bool, exitCode int) {
	spec := os.Getenv(ChildEnv)
	if spec == "" {
		return false, 0
	}
	f := strings.Split(spec, ",")
	if len(f) != 5 {
		fmt.Fprintln(os.Stderr, "pdf child: bad parameters")
		return true, 2
	}
	dpi, _ := strconv.ParseFloat(f[0], 64)
	cpu, _ := strconv.ParseUint(f[1], 10, 64)
	mem, _ := strconv.ParseUint(f[2], 10, 64)
	maxPages, _ := strconv.Atoi(f[3])
	maxPixels, _ := strconv.Atoi(f[4])
	if cpu > 0 {
		unix.Setrlimit(unix.RLIMIT_CPU, &unix.Rlimit{Cur: cpu, Max: cpu + 1})
	}
	if mem > 0 {
		unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: mem, Max: mem})
	}
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	data, err := io.ReadAll(io.LimitReader(os.Stdin, 256<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, "pdf child:", err)
		return true, 1
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	if err := renderAll(w, data, dpi, maxPages, maxPixels); err != nil {
		w.Flush()
		fmt.Fprintln(os.Stderr, "pdf child:", err)
		return true, 1
	}
	return true, 0
}

func renderAll(w io.Writer, data []byte, dpi float64, maxPages, maxPixels int) error {
	doc, err := fitz.NewFromMemory(data)
	if err != nil {
		return err
	}
	defer doc.Close()
	n := doc.NumPage()
	var b4 [4]byte
	put := func(v uint32) {
		binary.BigEndian.PutUint32(b4[:], v)
		w.Write(b4[:])
	}
	w.Write([]byte(frameMagic))
	put(uint32(n))
	if n > maxPages {
		// The parent reads the count and refuses the document in words.
		return fmt.Errorf("%w: %d > %d", ErrTooLarge, n, maxPages)
	}
	for i := 0; i < n; i++ {
		d := dpi
		if r, err := doc.Bound(i); err == nil {
			// bound is in points at 72 dpi
			px := float64(r.Dx()) * float64(r.Dy()) * (d / 72) * (d / 72)
			if px > float64(maxPixels) {
				d = math.Floor(d * math.Sqrt(float64(maxPixels)/px))
			}
		}
		img, err := doc.ImageDPI(i, d)
		text, _ := doc.Text(i)
		if err != nil || img == nil || img.Rect.Dx()*img.Rect.Dy() > maxPixels {
			w.Write([]byte{1})
			put(0)
			continue
		}
		w.Write([]byte{0})
		put(uint32(len(text)))
		io.WriteString(w, text)
		put(uint32(img.Rect.Dx()))
		put(uint32(img.Rect.Dy()))
		put(uint32(d * 100))
		row := make([]byte, 3*img.Rect.Dx())
		for y := 0; y < img.Rect.Dy(); y++ {
			p := img.Pix[y*img.Stride:]
			for x := 0; x < img.Rect.Dx(); x++ {
				row[3*x], row[3*x+1], row[3*x+2] = p[4*x], p[4*x+1], p[4*x+2]
			}
			if _, err := w.Write(row); err != nil {
				return err
			}
		}
	}
	return nil
}
