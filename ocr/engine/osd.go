package engine

/*
#cgo LDFLAGS: -ltesseract -lleptonica
#include <stdlib.h>
#include <tesseract/capi.h>
#include <leptonica/allheaders.h>

// osdNew loads the orientation data into a new Tesseract API, or returns NULL.
static TessBaseAPI *osdNew(const char *datapath) {
	TessBaseAPI *api = TessBaseAPICreate();
	if (TessBaseAPIInit3(api, datapath, "osd") != 0) {
		TessBaseAPIDelete(api);
		return NULL;
	}
	TessBaseAPISetPageSegMode(api, PSM_OSD_ONLY);
	return api;
}

static void osdFree(TessBaseAPI *api) {
	TessBaseAPIEnd(api);
	TessBaseAPIDelete(api);
}

// osdRun runs orientation and script detection on an image in memory (PBM or PGM). It returns 0
// and the page's orientation in degrees (Tesseract's orient_deg) with its confidence, or a
// negative code.
static int osdRun(TessBaseAPI *api, const unsigned char *data, size_t n, int ppi, int *deg, float *conf) {
	PIX *pix = pixReadMem(data, n);
	if (pix == NULL) return -2;
	if (ppi > 0) pixSetResolution(pix, ppi, ppi);
	TessBaseAPISetImage2(api, pix);
	const char *script = NULL;
	float sconf = 0;
	int ok = TessBaseAPIDetectOrientationScript(api, deg, conf, &script, &sconf);
	TessBaseAPIClear(api);
	pixDestroy(&pix);
	return ok ? 0 : -3;
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"unsafe"
)

// ErrNoOrientation reports that Tesseract's orientation detection found too little text to judge
// (or that its data, osd.traineddata from Debian's tesseract-ocr-osd, is missing).
var ErrNoOrientation = errors.New("không xác định được hướng trang (page orientation not detected)")

// Orientation is Tesseract's opinion on which way a page is turned.
type Orientation struct {
	// Turns is the number of quarter turns clockwise that make the page upright (0–3).
	Turns int
	// Confidence is Tesseract's orientation confidence; above about 2 it is usually right.
	Confidence float64
}

// osdHandle is a Tesseract API loaded with the orientation data.
type osdHandle = *C.TessBaseAPI

// DetectOrientation runs Tesseract's orientation detection (OSD) on a page (normally the cleaned
// bilevel page): a second opinion on the pages whose orientation the preprocessing could not tell.
// The pool keeps one OSD instance per engine, loaded on first use.
func (p *Pool) DetectOrientation(ctx context.Context, img *image.Gray, dpi float64) (Orientation, error) {
	var h osdHandle
	select {
	case <-p.done:
		return Orientation{}, ErrClosed
	case <-ctx.Done():
		return Orientation{}, ctx.Err()
	case h = <-p.osd:
	}
	select {
	case <-p.done:
		p.osd <- h
		return Orientation{}, ErrClosed
	default:
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	singleThreadOpenMP()
	if h == nil {
		var cpath *C.char
		if p.opt.Tessdata != "" {
			cpath = C.CString(p.opt.Tessdata)
			defer C.free(unsafe.Pointer(cpath))
		}
		if h = C.osdNew(cpath); h == nil {
			p.osd <- nil
			return Orientation{}, fmt.Errorf("%w: osd.traineddata", ErrNoOrientation)
		}
	}
	defer func() { p.osd <- h }()
	data, ok := PBM(img)
	if !ok {
		data = PGM(img)
	}
	var deg C.int
	var conf C.float
	rc := C.osdRun(h, (*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data)), C.int(dpi+0.5), &deg, &conf)
	switch rc {
	case 0:
	case -3:
		return Orientation{}, ErrNoOrientation
	default:
		return Orientation{}, fmt.Errorf("%w: OSD %d", ErrEngine, int(rc))
	}
	// orient_deg is the text's rotation as found; turning it back by as much clockwise rights it.
	d := (int(deg)%360 + 360) % 360
	return Orientation{Turns: ((360 - d) % 360) / 90, Confidence: float64(conf)}, nil
}

// closeOSD frees the OSD instances; called by Close once no page is being worked on.
func (p *Pool) closeOSD() {
	for i := 0; i < p.opt.Size; i++ {
		if h := <-p.osd; h != nil {
			C.osdFree(h)
		}
	}
}
