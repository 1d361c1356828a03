package lds

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"image/jpeg"

	"github.com/tramso/tramso/drivers/tlv"
)

// MIME types of face images.
const (
	MIMEJPEG     = "image/jpeg"
	MIMEJPEG2000 = "image/jp2" // JP2 file format
	MIMEJ2C      = "image/j2c" // raw JPEG 2000 codestream
)

// ErrNoFace is returned when DG2 holds no face image this package can extract.
var ErrNoFace = errors.New("DG2 không có ảnh khuôn mặt (DG2 holds no face image)")

// FaceImage is one face image of DG2, exactly as stored on the chip.
type FaceImage struct {
	Data []byte
	MIME string // MIMEJPEG, MIMEJPEG2000 or MIMEJ2C
	// Width and Height are those recorded in the ISO/IEC 19794-5 image information (0 if unknown).
	Width, Height int
}

// ImageMIME returns the MIME type of an image by its magic bytes: JPEG (FF D8 FF), JPEG 2000
// codestream (FF 4F FF 51) or JP2 ("jP  " box), or "" if unknown.
func ImageMIME(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return MIMEJPEG
	case len(b) >= 4 && b[0] == 0xFF && b[1] == 0x4F && b[2] == 0xFF && b[3] == 0x51:
		return MIMEJ2C
	case len(b) >= 12 && bytes.Equal(b[4:12], []byte{0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A}):
		return MIMEJPEG2000
	}
	return ""
}

// ParseDG2 extracts the face images of DG2 (75 / 7F61 / 7F60 / 5F2E or 7F2E). ISO/IEC 19794-5
// records ("FAC\0") are parsed field by field; for ISO/IEC 39794-5 blocks the image is the
// primitive element whose content starts with an image signature.
func ParseDG2(b []byte) ([]FaceImage, error) {
	v, err := unwrap(b, TagDG2, "DG2")
	if err != nil {
		return nil, err
	}
	big, err := tlv.Find(v, 0x7F61)
	if err != nil {
		return nil, errtext.Wrap(errors.New("DG2 thiếu nhóm sinh trắc (DG2 has no biometric information group)"), err)
	}
	objs, err := tlv.Parse(big)
	if err != nil {
		return nil, errtext.Wrap(errors.New("DG2 hỏng (malformed DG2)"), err)
	}
	var out []FaceImage
	for _, o := range objs {
		if o.Tag != 0x7F60 {
			continue
		}
		inner, err := tlv.Parse(o.Value)
		if err != nil {
			return nil, errtext.Wrap(errors.New("DG2 hỏng (malformed DG2)"), err)
		}
		for _, bo := range inner {
			switch bo.Tag {
			case 0x5F2E, 0x7F2E:
				var imgs []FaceImage
				if bytes.HasPrefix(bo.Value, []byte("FAC\x00")) {
					imgs, err = parseFaceRecord(bo.Value)
					if err != nil {
						return nil, err
					}
				} else if img, ok := findImage(bo.Value, 0); ok {
					imgs = []FaceImage{{Data: img, MIME: ImageMIME(img)}}
				}
				out = append(out, imgs...)
			}
		}
	}
	if len(out) == 0 {
		return nil, ErrNoFace
	}
	return out, nil
}

// parseFaceRecord parses an ISO/IEC 19794-5:2005 facial record.
func parseFaceRecord(r []byte) ([]FaceImage, error) {
	bad := func(what string) error {
		return errtext.Wrap(fmt.Errorf("bản ghi ảnh mặt ISO 19794-5 hỏng (malformed ISO 19794-5 record: %s)", what), ErrMalformed)
	}
	if len(r) < 14 {
		return nil, bad("header")
	}
	count := int(binary.BigEndian.Uint16(r[12:14]))
	p := r[14:]
	var out []FaceImage
	for i := 0; i < count; i++ {
		if len(p) < 20 {
			return nil, bad("facial information")
		}
		recLen := binary.BigEndian.Uint32(p[0:4])
		points := int(binary.BigEndian.Uint16(p[4:6]))
		head := 20 + 8*points + 12
		if recLen < uint32(head) || uint64(recLen) > uint64(len(p)) {
			return nil, bad("record length")
		}
		info := p[20+8*points : head]
		img := p[head:recLen]
		mime := ImageMIME(img)
		if mime == "" {
			switch info[1] {
			case 0:
				mime = MIMEJPEG
			case 1:
				mime = MIMEJPEG2000
			default:
				return nil, bad("image data type")
			}
		}
		out = append(out, FaceImage{
			Data:   img,
			MIME:   mime,
			Width:  int(binary.BigEndian.Uint16(info[2:4])),
			Height: int(binary.BigEndian.Uint16(info[4:6])),
		})
		p = p[recLen:]
	}
	return out, nil
}

// findImage walks a BER structure for the first primitive value that starts with an image
// signature.
func findImage(b []byte, depth int) ([]byte, bool) {
	if depth > 16 {
		return nil, false
	}
	for len(b) > 0 {
		tag, v, rest, err := tlv.Next(b)
		if err != nil {
			return nil, false
		}
		if tag.Constructed() {
			if img, ok := findImage(v, depth+1); ok {
				return img, true
			}
		} else if ImageMIME(v) != "" {
			return v, true
		}
		b = rest
	}
	return nil, false
}

// imageSize reads the pixel size from a JPEG or JPEG 2000 image header (0, 0 if unknown).
func imageSize(img []byte, mime string) (int, int) {
	switch mime {
	case MIMEJPEG:
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
		if err == nil {
			return cfg.Width, cfg.Height
		}
	case MIMEJ2C:
		// SIZ: FF4F FF51 Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4)
		if len(img) >= 24 {
			x := binary.BigEndian.Uint32(img[8:12]) - binary.BigEndian.Uint32(img[16:20])
			y := binary.BigEndian.Uint32(img[12:16]) - binary.BigEndian.Uint32(img[20:24])
			return int(x), int(y)
		}
	case MIMEJPEG2000:
		// ihdr box: height(4) width(4)
		if i := bytes.Index(img[:min(len(img), 256)], []byte("ihdr")); i >= 0 && len(img) >= i+12 {
			return int(binary.BigEndian.Uint32(img[i+8 : i+12])), int(binary.BigEndian.Uint32(img[i+4 : i+8]))
		}
	}
	return 0, 0
}

// BuildDG2 returns DG2 holding one face image (JPEG or JPEG 2000, detected by magic) in an
// ISO/IEC 19794-5 record, inside the biometric templates of ICAO 9303-10.
func BuildDG2(img []byte) ([]byte, error) {
	mime := ImageMIME(img)
	if mime == "" {
		return nil, errtext.Wrap(errors.New("ảnh không phải JPEG hay JPEG 2000 (image is neither JPEG nor JPEG 2000)"), ErrMalformed)
	}
	w, h := imageSize(img, mime)
	if w > 0xFFFF || h > 0xFFFF || w < 0 || h < 0 {
		w, h = 0, 0
	}
	dataType := byte(0)
	if mime != MIMEJPEG {
		dataType = 1
	}
	facLen := 20 + 12 + len(img)
	rec := make([]byte, 0, 14+facLen)
	rec = append(rec, 'F', 'A', 'C', 0, '0', '1', '0', 0)
	rec = binary.BigEndian.AppendUint32(rec, uint32(14+facLen))
	rec = binary.BigEndian.AppendUint16(rec, 1)
	// Facial information: length, 0 feature points, gender, eye colour, hair colour unspecified,
	// property mask, expression, pose angles and uncertainties all zero.
	rec = binary.BigEndian.AppendUint32(rec, uint32(facLen))
	rec = append(rec, make([]byte, 16)...)
	// Image information: full frontal, data type, width, height, 24-bit RGB, static photo,
	// device type and quality unspecified.
	rec = append(rec, 1, dataType)
	rec = binary.BigEndian.AppendUint16(rec, uint16(w))
	rec = binary.BigEndian.AppendUint16(rec, uint16(h))
	rec = append(rec, 1, 2, 0, 0, 0, 0)
	rec = append(rec, img...)

	var bht []byte
	bht = append(bht, tlv.Encode(0x80, []byte{0x01, 0x01})...)       // ICAO header version 1.1
	bht = append(bht, tlv.Encode(0x81, []byte{0x02})...)             // biometric type: face
	bht = append(bht, tlv.Encode(0x87, []byte{0x01, 0x01})...)       // format owner: ISO/IEC JTC1/SC37
	bht = append(bht, tlv.Encode(0x88, []byte{0x00, 0x08})...)       // format type: face image
	bit := append(tlv.Encode(0xA1, bht), tlv.Encode(0x5F2E, rec)...) // header + biometric data block
	group := append(tlv.Encode(0x02, []byte{1}), tlv.Encode(0x7F60, bit)...)
	return tlv.Encode(TagDG2, tlv.Encode(0x7F61, group)), nil
}
