package pcsc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// The messages below are pcsc-lite's client/server protocol 4.4 (pcsc-lite 1.9.x, Debian 12): every
// request is a header {size uint32, command uint32} followed by a fixed-size struct of 32-bit fields
// in the host's byte order; the server answers with the same struct, rv filled in. Transmit adds the
// command bytes after its struct and the response bytes after the answer's struct. The reader states
// are a fixed table the server dumps on request.

const (
	protocolMajor = 4
	protocolMinor = 4

	maxReaderName   = 128 // MAX_READERNAME
	maxATRSize      = 33  // MAX_ATR_SIZE
	maxReaders      = 16  // PCSCLITE_MAX_READERS_CONTEXTS
	maxBufferExtend = 4 + 3 + (1 << 16) + 3 + 2

	// readerNotInitialized is the ATR length the server reports while it has not powered a card yet.
	readerNotInitialized = maxATRSize + 1
)

// Commands (enum pcsc_msg_commands).
const (
	cmdEstablishContext   = 0x01
	cmdReleaseContext     = 0x02
	cmdConnect            = 0x04
	cmdDisconnect         = 0x06
	cmdTransmit           = 0x09
	cmdVersion            = 0x11
	cmdGetReadersState    = 0x12
	cmdWaitReaderState    = 0x13
	cmdStopWaitingReaders = 0x14
)

// Reader state bits the server keeps (SCARD_ABSENT, SCARD_PRESENT, …).
const (
	stateAbsent    = 0x0002
	statePresent   = 0x0004
	stateSwallowed = 0x0008
	statePowered   = 0x0010
)

// Values for connect and disconnect.
const (
	scopeSystem    = 0x0002
	shareShared    = 0x0002
	protocolT0     = 0x0001
	protocolT1     = 0x0002
	protocolRaw    = 0x0004
	dispositionRst = 0x0001 // SCARD_RESET_CARD
)

var ne = binary.NativeEndian

// ioRequestSize is sizeof(SCARD_IO_REQUEST): two C unsigned longs, as wide as a Go uint on Linux.
const ioRequestSize = 2 * uint32(unsafe.Sizeof(uint(0)))

// Sizes of the fixed structs.
const (
	headerSize      = 8
	versionSize     = 12
	establishSize   = 12
	releaseSize     = 8
	connectSize     = 4 + maxReaderName + 5*4
	disconnectSize  = 12
	transmitSize    = 8 * 4
	waitSize        = 8
	readerStateSize = maxReaderName + 3*4 + maxATRSize + 3 + 2*4 // 3 bytes of padding align cardAtrLength
	readerTableSize = maxReaders * readerStateSize
)

// message builds a request: header then fields.
func message(cmd uint32, size int, fields ...uint32) []byte {
	b := make([]byte, headerSize, headerSize+size)
	ne.PutUint32(b[0:], uint32(size))
	ne.PutUint32(b[4:], cmd)
	for _, f := range fields {
		b = ne.AppendUint32(b, f)
	}
	return b
}

// connectMessage builds SCARD_CONNECT for reader.
func connectMessage(hContext uint32, reader string) []byte {
	b := message(cmdConnect, connectSize, hContext)
	var name [maxReaderName]byte
	copy(name[:maxReaderName-1], reader)
	b = append(b, name[:]...)
	for _, f := range []uint32{shareShared, protocolT0 | protocolT1, 0, 0, 0} {
		b = ne.AppendUint32(b, f)
	}
	return b
}

// transmitMessage builds SCARD_TRANSMIT with the command bytes appended.
func transmitMessage(hCard int32, proto uint32, command []byte) []byte {
	b := message(cmdTransmit, transmitSize,
		uint32(hCard), proto, ioRequestSize, uint32(len(command)),
		protocolT0|protocolT1, ioRequestSize, maxBufferExtend, 0)
	return append(b, command...)
}

// words splits a struct answer into its 32-bit fields.
func words(b []byte) []uint32 {
	w := make([]uint32, len(b)/4)
	for i := range w {
		w[i] = ne.Uint32(b[4*i:])
	}
	return w
}

// readerState is one reader as the server reports it.
type readerState struct {
	Name     string
	Events   uint32 // card events counter
	State    uint32 // stateAbsent, statePresent, …
	Sharing  int32
	ATR      []byte
	ATRLen   uint32 // as reported; readerNotInitialized while the card is being powered
	Protocol uint32
}

// cardReady reports whether a powered card with an ATR sits in the reader.
func (r readerState) cardReady() bool {
	return r.State&statePresent != 0 && r.ATRLen > 0 && r.ATRLen <= maxATRSize
}

var errStateTable = errors.New("bảng trạng thái đầu đọc từ pcscd sai dạng (malformed reader state table from pcscd)")

// parseReaderStates decodes the server's reader table, keeping the slots that hold a reader.
func parseReaderStates(b []byte) ([]readerState, error) {
	if len(b) != readerTableSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", errStateTable, len(b), readerTableSize)
	}
	var out []readerState
	for i := 0; i < maxReaders; i++ {
		s := b[i*readerStateSize : (i+1)*readerStateSize]
		name := s[:maxReaderName]
		n := strings.IndexByte(string(name), 0)
		if n < 0 {
			return nil, fmt.Errorf("%w: reader name %d not terminated", errStateTable, i)
		}
		if n == 0 {
			continue
		}
		p := s[maxReaderName:]
		r := readerState{
			Name:    string(name[:n]),
			Events:  ne.Uint32(p[0:]),
			State:   ne.Uint32(p[4:]),
			Sharing: int32(ne.Uint32(p[8:])),
		}
		atr := p[12 : 12+maxATRSize]
		q := p[12+maxATRSize+3:]
		r.ATRLen = ne.Uint32(q[0:])
		r.Protocol = ne.Uint32(q[4:])
		if r.ATRLen <= maxATRSize {
			r.ATR = append([]byte(nil), atr[:r.ATRLen]...)
		} else if r.ATRLen != readerNotInitialized {
			return nil, fmt.Errorf("%w: ATR length %d", errStateTable, r.ATRLen)
		}
		out = append(out, r)
	}
	return out, nil
}
