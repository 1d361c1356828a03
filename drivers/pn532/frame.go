package pn532

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Frame limits of the PN532 host interface (UM0701-02 §6.2, idcard.md §6.1).
const (
	// MaxNormalLen is the largest LEN of a normal information frame (TFI + data).
	MaxNormalLen = 255
	// MaxFrameLen is the largest LEN the PN532 firmware accepts or sends (TFI + 264 data bytes).
	MaxFrameLen = 265
	// MaxDataOut is the largest DataOut of one InDataExchange (265 minus TFI, command code and Tg).
	MaxDataOut = 262
	// MaxDataIn is the largest DataIn of one InDataExchange response (265 minus TFI, code and status).
	MaxDataIn = 262
	// MaxWireLen is the longest frame on the wire: preamble, start code, extended length,
	// TFI and data, DCS and postamble.
	MaxWireLen = 1 + 2 + 5 + MaxFrameLen + 1 + 1
)

// Frame identifiers (TFI).
const (
	TFIHost   = 0xD4 // host to PN532
	TFIReader = 0xD5 // PN532 to host
	tfiError  = 0x7F // application-level error frame
)

// The fixed frames, as wire bytes.
const (
	// ACKFrame acknowledges a command frame; from the host it aborts a running command.
	ACKFrame = "\x00\x00\xff\x00\xff\x00"
	// NACKFrame asks the other side to send its last frame again.
	NACKFrame = "\x00\x00\xff\xff\x00\x00"
	// ErrorFrame is the PN532's application-level error frame (syntax error in a command).
	ErrorFrame = "\x00\x00\xff\x01\xff\x7f\x81\x00"
)

// FrameType tells the kinds of frame apart.
type FrameType uint8

// Kinds of frame.
const (
	FrameInfo  FrameType = iota // information frame: TFI and data
	FrameACK                    // 00 00 FF 00 FF 00
	FrameNACK                   // 00 00 FF FF 00 00
	FrameError                  // application error frame (TFI 7F)
)

func (t FrameType) String() string {
	switch t {
	case FrameInfo:
		return "info"
	case FrameACK:
		return "ACK"
	case FrameNACK:
		return "NACK"
	case FrameError:
		return "error"
	}
	return fmt.Sprintf("FrameType(%d)", uint8(t))
}

// Frame is one decoded frame. For an information frame Data holds PD0…PDn (the command or
// response code first); it aliases the decoder's input.
type Frame struct {
	Type FrameType
	TFI  byte
	Data []byte
}

// Errors of the frame layer.
var (
	// ErrIncomplete means the input ends inside a frame; read more bytes and decode again.
	ErrIncomplete = errors.New("khung PN532 chưa đủ (incomplete PN532 frame)")
	// ErrChecksum means a length or data checksum did not match.
	ErrChecksum = errors.New("sai tổng kiểm tra khung PN532 (PN532 frame checksum error)")
	// ErrFrameLength means a frame announced a length the PN532 cannot send or accept.
	ErrFrameLength = errors.New("độ dài khung PN532 không hợp lệ (invalid PN532 frame length)")
)

// AppendFrame appends tfi and data as one information frame to dst, in normal form when it fits
// (1+len(data) ≤ 255) and in extended form otherwise. It fails if the frame exceeds MaxFrameLen.
func AppendFrame(dst []byte, tfi byte, data []byte) ([]byte, error) {
	n := 1 + len(data)
	if n > MaxFrameLen {
		return dst, fmt.Errorf("%w: %d bytes", ErrFrameLength, n)
	}
	dst = append(dst, 0x00, 0x00, 0xFF)
	if n <= MaxNormalLen {
		dst = append(dst, byte(n), byte(-n))
	} else {
		hi, lo := byte(n>>8), byte(n)
		dst = append(dst, 0xFF, 0xFF, hi, lo, -(hi + lo))
	}
	sum := tfi
	dst = append(dst, tfi)
	for _, b := range data {
		sum += b
	}
	dst = append(dst, data...)
	return append(dst, -sum, 0x00), nil
}

// DecodeFrame finds the first frame in b. It skips any bytes before the start code 00 FF
// (line noise, wake-up bytes, a previous postamble) and returns the frame and the number of
// bytes of b it consumed, including the skipped ones and the postamble if present.
//
// When b holds no complete frame yet the error is ErrIncomplete and n counts the bytes that
// can be dropped safely (noise before a possible start code). On ErrChecksum or ErrFrameLength
// n is past the bad start code so that decoding again resynchronises on the next frame.
// DecodeFrame never allocates: the Data of the frame aliases b.
func DecodeFrame(b []byte) (f Frame, n int, err error) {
	start := bytes.Index(b, []byte{0x00, 0xFF})
	if start < 0 {
		// Keep a trailing 00: it may be the first half of a start code.
		n = len(b)
		if n > 0 && b[n-1] == 0x00 {
			n--
		}
		return Frame{}, n, ErrIncomplete
	}
	p := b[start+2:]
	bad := start + 2 // where to resume after a broken frame
	if len(p) < 2 {
		return Frame{}, start, ErrIncomplete
	}
	var length, hdr int
	switch {
	case p[0] == 0x00 && p[1] == 0xFF:
		return Frame{Type: FrameACK}, postamble(b, start+4), nil
	case p[0] == 0xFF && p[1] == 0x00:
		return Frame{Type: FrameNACK}, postamble(b, start+4), nil
	case p[0] == 0xFF && p[1] == 0xFF:
		if len(p) < 5 {
			return Frame{}, start, ErrIncomplete
		}
		if p[2]+p[3]+p[4] != 0 {
			return Frame{}, bad, fmt.Errorf("%w: extended length", ErrChecksum)
		}
		length, hdr = int(p[2])<<8|int(p[3]), 5
		if length == 0 || length > MaxFrameLen {
			return Frame{}, bad, fmt.Errorf("%w: %d bytes", ErrFrameLength, length)
		}
	default:
		if p[0]+p[1] != 0 {
			return Frame{}, bad, fmt.Errorf("%w: length", ErrChecksum)
		}
		length, hdr = int(p[0]), 2
		if length == 0 {
			return Frame{}, bad, fmt.Errorf("%w: 0 bytes", ErrFrameLength)
		}
	}
	if len(p) < hdr+length+1 {
		return Frame{}, start, ErrIncomplete
	}
	body := p[hdr : hdr+length]
	var sum byte
	for _, c := range body {
		sum += c
	}
	if sum+p[hdr+length] != 0 {
		return Frame{}, bad, fmt.Errorf("%w: data", ErrChecksum)
	}
	end := start + 2 + hdr + length + 1
	if body[0] == tfiError && length == 1 {
		return Frame{Type: FrameError, TFI: tfiError}, postamble(b, end), nil
	}
	return Frame{Type: FrameInfo, TFI: body[0], Data: body[1:]}, postamble(b, end), nil
}

// postamble returns end, plus one if the byte at end is the postamble 00.
func postamble(b []byte, end int) int {
	if end < len(b) && b[end] == 0x00 {
		end++
	}
	return end
}

// Decoder reassembles frames from a byte stream that arrives in pieces. It holds at most
// 2×MaxWireLen bytes however much noise it is fed: noise that cannot start a frame is dropped
// as soon as it is seen, and a frame that can never complete is skipped.
type Decoder struct {
	buf []byte
}

const decoderSize = 2 * MaxWireLen

// Feed copies as many bytes of p as there is room for and returns how many it took.
// Call Next until it reports ErrIncomplete before feeding the rest.
func (d *Decoder) Feed(p []byte) int {
	n := copy(d.space(), p)
	d.buf = d.buf[:len(d.buf)+n]
	d.trim()
	return n
}

// Fill does one Read from r into the decoder's free space.
func (d *Decoder) Fill(r io.Reader) (int, error) {
	n, err := r.Read(d.space())
	if n > 0 {
		d.buf = d.buf[:len(d.buf)+n]
		d.trim()
	}
	return n, err
}

// space returns the free room at the end of the buffer, making some if there is none.
func (d *Decoder) space() []byte {
	if d.buf == nil {
		d.buf = make([]byte, 0, decoderSize)
	}
	if len(d.buf) == cap(d.buf) {
		// A full buffer holds at least one whole frame unless its header lies;
		// drop the start code so decoding moves on.
		d.drop(1)
		d.trim()
	}
	return d.buf[len(d.buf):cap(d.buf)]
}

// trim drops leading noise that cannot belong to a frame.
func (d *Decoder) trim() {
	if i := bytes.Index(d.buf, []byte{0x00, 0xFF}); i > 0 {
		d.drop(i)
	} else if i < 0 && len(d.buf) > 1 {
		k := len(d.buf)
		if d.buf[k-1] == 0x00 {
			k--
		}
		d.drop(k)
	}
}

func (d *Decoder) drop(k int) {
	n := copy(d.buf, d.buf[k:])
	d.buf = d.buf[:n]
}

// Next returns the next complete frame, or ErrIncomplete when more bytes are needed.
// ErrChecksum and ErrFrameLength report a damaged frame, which has been skipped; the
// caller may call Next again. The frame's Data is a copy the caller may keep.
func (d *Decoder) Next() (Frame, error) {
	f, n, err := DecodeFrame(d.buf)
	if err == nil && f.Data != nil {
		f.Data = append([]byte(nil), f.Data...)
	}
	d.drop(n)
	return f, err
}

// Reset drops everything buffered.
func (d *Decoder) Reset() { d.buf = d.buf[:0] }

// Buffered reports how many bytes wait in the decoder.
func (d *Decoder) Buffered() int { return len(d.buf) }
