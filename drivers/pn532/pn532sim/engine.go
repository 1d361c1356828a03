package pn532sim

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/pn532"
)

// Card is what sits in the simulated RF field: it takes a command APDU and returns the
// response APDU (data and SW). The virtual CCCD chip implements it.
type Card interface {
	Transmit(ctx context.Context, apdu []byte) ([]byte, error)
}

// Fault is a way the simulated reader misbehaves on the line.
type Fault int

// Faults.
const (
	FaultNone          Fault = iota
	FaultSilent              // never answers, not even with an ACK
	FaultRandom              // answers every frame with random bytes of the same length
	FaultChecksum            // ACKs commands but sends every response with a wrong data checksum
	FaultChecksumOnce        // the next response has a wrong checksum; the resend after a NACK is good
	FaultRefuseCommand       // answers every command with the application error frame
	FaultLoseOnce            // the next command frame is lost on the line: no ACK, no answer
)

// Config configures a simulated PN532.
type Config struct {
	Card         Card          // the card in the field at start; nil means none
	TypeB        bool          // the card answers ISO/IEC 14443-3B polls instead of type A
	UID          []byte        // the card's UID (type A) or PUPI (type B, 4 bytes); default 7 bytes
	ATS          []byte        // type A answer to select from TL on; default 05 78 77 81 02
	NoHighSpeed  bool          // the card refuses InPSL above 106 kbps
	MaxRate      int           // the card refuses InPSL above this many kbps, whatever its ATS says; 0: no limit
	RemoveAfter  int           // the card leaves after answering this many APDUs; 0 means never
	RemoveStatus byte          // InDataExchange status once the card has left: 2Bh (default) or 01h
	Delay        time.Duration // extra processing time before every response
	Fault        Fault         // line misbehaviour from the start
	Awake        bool          // HSU: start awake, without needing the 55h wake-up
	Seed         uint64        // seed of the random bytes of FaultRandom

	// Baud is the HSU speed at power-up (default 115200). The simulator tracks the speed it
	// agreed with the host by SetSerialBaudRate and reads the speed the host set on its side
	// of the pty: bytes sent at another speed are lost, as framing errors on a UART.
	Baud int
	// MaxBaud is the highest speed SetSerialBaudRate accepts; a higher one gets the
	// application error frame, as from a clone or a level shifter that cannot follow.
	// 0 means every speed of the UM (up to 1 288 000).
	MaxBaud int
	// BaudNoSwitch answers SetSerialBaudRate but keeps the old speed, as when the host's ACK
	// is lost: the host must notice and fall back.
	BaudNoSwitch bool
	// LineTiming delays each frame by its time on the line at the current speed (10 bits a
	// byte) and each card exchange by its time on the air at the current RF bit rate (see
	// RFTime), so that wall time on a pty is what a real line and field would take. The
	// card's own processing time is not modelled.
	LineTiming bool
}

// version is what the simulator answers to GetFirmwareVersion: IC 32h (PN532), firmware 1.6,
// support 07h (ISO 14443A, 14443B and 18092).
const version = "\x32\x01\x06\x07"

// maxChain bounds the command APDU assembled from InDataExchange chunks with MI set:
// an extended APDU with 65535 data bytes and all header and Le bytes.
const maxChain = 65535 + 9

// engine is the protocol core shared by the HSU and I²C simulators: it takes host frames
// and emits the frames a PN532 would send back.
type engine struct {
	emit func(b []byte, d time.Duration, baud int) // where frames for the host go: d on the line at baud

	mu             sync.Mutex
	opt            Config
	card           Card
	left           bool // the card that was selected has left the field
	selected       bool
	rate           byte
	apdus          int
	passiveRetries byte
	chain          []byte // DataOut collected from InDataExchange with MI
	pending        []byte // DataIn still to send after a response with MI
	last           []byte // the last response frame, for NACK
	cancel         context.CancelFunc
	seq            int // number of the running command, so an aborted one stays quiet
	counts         [256]int
	nacks, acks    int
	placed         chan struct{} // closed when a card is placed
	rng            *rand.Rand
	wg             sync.WaitGroup
	baud           int // the HSU speed agreed with the host
	pendingBaud    int // the speed SetSerialBaudRate answered, taken on the host's ACK
	regs           map[uint16]byte
	timing         Timing
}

// Timing is the modelled time on the serial line and in the RF field so far, and what was
// lost on the line to a speed mismatch.
type Timing struct {
	Line      time.Duration // both directions of the serial line, 10 bits a byte at the agreed speed
	RF        time.Duration // card exchanges on the air (activation, PPS, I-blocks)
	LineBytes int64
	RFBytes   int64 // bytes on the air, ISO/IEC 14443-4 block framing included
	Garbled   int64 // bytes the host sent at a speed other than the agreed one
}

func newEngine(opt Config) *engine {
	if opt.RemoveStatus == 0 {
		opt.RemoveStatus = 0x2B
	}
	if len(opt.UID) == 0 {
		if opt.TypeB {
			opt.UID = []byte{0x1A, 0x2B, 0x3C, 0x4D}
		} else {
			opt.UID = []byte{0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66}
		}
	}
	if len(opt.ATS) == 0 {
		opt.ATS = []byte{0x05, 0x78, 0x77, 0x81, 0x02}
	}
	if opt.Baud == 0 {
		opt.Baud = 115200
	}
	return &engine{
		opt:            opt,
		card:           opt.Card,
		passiveRetries: 0xFF,
		placed:         make(chan struct{}),
		rng:            rand.New(rand.NewPCG(opt.Seed, 0x504e353332)),
		baud:           opt.Baud,
		regs:           map[uint16]byte{},
	}
}

// Place puts card in the field (replacing any card there).
func (e *engine) Place(card Card) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.card, e.left, e.selected, e.apdus = card, false, false, 0
	close(e.placed)
	e.placed = make(chan struct{})
}

// Remove takes the card out of the field. A selected card answers nothing any more:
// InDataExchange reports Config.RemoveStatus.
func (e *engine) Remove() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.card = nil
	if e.selected {
		e.left = true
	}
}

// SetFault changes how the reader misbehaves from the next frame on.
func (e *engine) SetFault(f Fault) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opt.Fault = f
}

// SetDelay changes the extra processing time before every response.
func (e *engine) SetDelay(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opt.Delay = d
}

// Count reports how many command frames with this command code arrived.
func (e *engine) Count(code byte) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[code]
}

// NACKs reports how many NACK frames the host sent.
func (e *engine) NACKs() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nacks
}

// APDUs reports how many APDUs the current card answered.
func (e *engine) APDUs() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.apdus
}

// BitRate reports the RF bit rate in kbps with the selected card.
func (e *engine) BitRate() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return 106 << e.rate
}

// Baud reports the HSU speed the simulator agreed with the host.
func (e *engine) Baud() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.baud
}

// Timing reports the modelled line and RF time so far.
func (e *engine) Timing() Timing {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.timing
}

// lineDelay is how long n bytes take on the line at the agreed speed, and counts them.
// Call with e.mu held.
func (e *engine) lineDelay(n int) time.Duration {
	d := LineTime(n, e.baud)
	e.timing.Line += d
	e.timing.LineBytes += int64(n)
	if !e.opt.LineTiming {
		return 0
	}
	return d
}

// speedOK reports whether bytes the host sent at baud reach the simulator: at the agreed
// speed, or at the one a SetSerialBaudRate in progress is about to agree.
func (e *engine) speedOK(baud int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return baud == 0 || baud == e.baud || (e.pendingBaud != 0 && baud == e.pendingBaud)
}

// received accounts for n bytes from the host and returns their time on the line.
func (e *engine) received(n int) time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lineDelay(n)
}

// garbled counts bytes lost to a speed mismatch.
func (e *engine) garbled(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.timing.Garbled += int64(n)
}

// send emits a frame to the host through the current fault. Call with e.mu held.
func (e *engine) send(b []byte, response bool) {
	switch e.opt.Fault {
	case FaultSilent:
		return
	case FaultRandom:
		r := make([]byte, len(b))
		for i := range r {
			r[i] = byte(e.rng.Uint32())
		}
		b = r
	case FaultChecksum, FaultChecksumOnce:
		if response && len(b) >= 2 {
			b = append([]byte(nil), b...)
			b[len(b)-2] ^= 0x5A
			if e.opt.Fault == FaultChecksumOnce {
				e.opt.Fault = FaultNone
			}
		}
	}
	e.emit(b, e.lineDelay(len(b)), e.baud)
}

// receive handles one frame from the host.
func (e *engine) receive(ctx context.Context, f pn532.Frame) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opt.Fault == FaultSilent {
		return
	}
	switch f.Type {
	case pn532.FrameACK:
		// An ACK from the host aborts the running command. After the answer to
		// SetSerialBaudRate it is the host's go-ahead: both sides change speed.
		e.acks++
		e.abort()
		if e.pendingBaud != 0 && !e.opt.BaudNoSwitch {
			e.baud = e.pendingBaud
		}
		e.pendingBaud = 0
		return
	case pn532.FrameNACK:
		e.nacks++
		if e.last != nil {
			e.send(e.last, true)
		}
		return
	case pn532.FrameError:
		return
	}
	if f.TFI != pn532.TFIHost || len(f.Data) == 0 {
		return
	}
	if e.opt.Fault == FaultLoseOnce {
		e.opt.Fault = FaultNone
		return
	}
	e.counts[f.Data[0]]++
	e.abort()
	e.pendingBaud = 0
	e.send([]byte(pn532.ACKFrame), false)
	if e.opt.Fault == FaultRefuseCommand {
		e.last = []byte(pn532.ErrorFrame)
		e.send(e.last, true)
		return
	}
	cctx, cancel := context.WithCancel(ctx)
	e.cancel = cancel
	e.seq++
	seq := e.seq
	cmd := append([]byte(nil), f.Data...)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer cancel()
		resp := e.run(cctx, cmd)
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.seq != seq || cctx.Err() != nil {
			return // aborted by the host
		}
		e.cancel = nil
		if resp == nil {
			e.last = []byte(pn532.ErrorFrame)
		} else {
			e.last, _ = pn532.AppendFrame(nil, pn532.TFIReader, resp)
		}
		e.send(e.last, true)
	}()
}

// abort stops the running command. Call with e.mu held.
func (e *engine) abort() {
	if e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
	e.seq++
}

// frameError reports a frame the PN532 cannot take (longer than its buffer).
func (e *engine) frameError() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opt.Fault == FaultSilent {
		return
	}
	e.last = []byte(pn532.ErrorFrame)
	e.send(e.last, true)
}

// wait ends when all command goroutines have.
func (e *engine) wait() {
	e.mu.Lock()
	e.abort()
	e.mu.Unlock()
	e.wg.Wait()
}

// run executes one command and returns the response data (code first), or nil for the
// application error frame (a syntax error).
func (e *engine) run(ctx context.Context, cmd []byte) []byte {
	e.mu.Lock()
	delay := e.opt.Delay
	e.mu.Unlock()
	if delay > 0 && sleep(ctx, delay) != nil {
		return nil
	}
	code, p := cmd[0], cmd[1:]
	switch code {
	case pn532.CmdDiagnose:
		return e.diagnose(p)
	case pn532.CmdGetFirmwareVersion:
		return append([]byte{code + 1}, version...)
	case cmdGetGeneralStatus:
		return e.generalStatus()
	case cmdReadRegister:
		return e.readRegister(p)
	case cmdWriteRegister:
		return e.writeRegister(p)
	case pn532.CmdSetSerialBaudRate:
		return e.setSerialBaudRate(p)
	case cmdSetParameters:
		// Flags: 01h NAD, 02h DID/CID, 04h automatic ATR_RES, 10h automatic RATS,
		// 20h ISO/IEC 14443-4 PICC emulation, 40h no AMBLE; 08h and 80h are RFU.
		// libnfc sends 14h, then 10h; any value is taken.
		if len(p) != 1 {
			return nil
		}
		return []byte{code + 1}
	case cmdPowerDown:
		if len(p) < 1 || len(p) > 2 {
			return nil
		}
		return []byte{code + 1, 0x00}
	case cmdInCommunicateThru:
		// Raw frames (libnfc's probes for other card families): the card here speaks
		// ISO/IEC 14443-4 only and stays silent.
		return []byte{code + 1, 0x01}
	case pn532.CmdSAMConfiguration:
		if len(p) < 1 || len(p) > 3 || p[0] < 1 || p[0] > 4 {
			return nil
		}
		return []byte{code + 1}
	case pn532.CmdRFConfiguration:
		return e.rfConfiguration(p)
	case pn532.CmdInListPassiveTarget:
		return e.inListPassiveTarget(ctx, p)
	case pn532.CmdInPSL:
		return e.inPSL(p)
	case pn532.CmdInDataExchange:
		return e.inDataExchange(ctx, p)
	case pn532.CmdInDeselect, pn532.CmdInRelease:
		return e.release(code, p)
	}
	return nil
}

func (e *engine) diagnose(p []byte) []byte {
	if len(p) < 1 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch p[0] {
	case 0x00: // communication line test: echo
		return append([]byte{pn532.CmdDiagnose + 1}, p...)
	case 0x06: // ISO/IEC 14443-4 card presence detection
		if e.selected && !e.left && e.card != nil {
			return []byte{pn532.CmdDiagnose + 1, 0x00}
		}
		return []byte{pn532.CmdDiagnose + 1, 0x01}
	}
	return nil
}

func (e *engine) rfConfiguration(p []byte) []byte {
	if len(p) < 1 {
		return nil
	}
	// Length of ConfigurationData per CfgItem (UM0701-02 RFConfiguration).
	var n int
	switch p[0] {
	case 0x01, 0x04:
		n = 1
	case 0x02, 0x05, 0x0C:
		n = 3
	case 0x0A:
		n = 11
	case 0x0B:
		n = 8
	case 0x0D:
		n = 9
	default:
		return nil
	}
	if len(p)-1 != n {
		return nil
	}
	if p[0] == 0x05 {
		e.mu.Lock()
		e.passiveRetries = p[3]
		e.mu.Unlock()
	}
	if p[0] == 0x01 && p[1]&0x01 == 0 {
		// Field off: every target is lost.
		e.mu.Lock()
		e.selected = false
		e.mu.Unlock()
	}
	return []byte{pn532.CmdRFConfiguration + 1}
}

func (e *engine) inListPassiveTarget(ctx context.Context, p []byte) []byte {
	if len(p) < 2 || p[0] < 1 || p[0] > 2 {
		return nil
	}
	brty := p[1]
	if brty == 0x03 && len(p) < 3 {
		return nil // type B needs the AFI
	}
	if brty > 0x04 {
		return nil
	}
	for {
		e.mu.Lock()
		e.selected, e.left, e.rate, e.chain, e.pending = false, false, 0, nil, nil
		card, typeB, retries, placed := e.card, e.opt.TypeB, e.passiveRetries, e.placed
		if card != nil && ((brty == 0x00 && !typeB) || (brty == 0x03 && typeB)) {
			e.selected = true
			r := e.targetData(typeB)
			d := e.activationDelay(typeB)
			e.mu.Unlock()
			if sleep(ctx, d) != nil {
				return nil
			}
			// Activation (REQA/RATS or ATTRIB) starts the card afresh: no secure channel,
			// nothing selected.
			if rc, ok := card.(interface{ Reset() }); ok {
				rc.Reset()
			}
			return r
		}
		e.mu.Unlock()
		if retries != 0xFF {
			// Each passive activation attempt takes a few milliseconds.
			if sleep(ctx, time.Duration(int(retries)+1)*2*time.Millisecond) != nil {
				return nil
			}
			return []byte{pn532.CmdInListPassiveTarget + 1, 0x00}
		}
		// MxRtyPassiveActivation FFh: poll until a card comes or the host aborts.
		select {
		case <-placed:
		case <-ctx.Done():
			return nil
		}
	}
}

// targetData builds an InListPassiveTarget answer with one target. Call with e.mu held.
func (e *engine) targetData(typeB bool) []byte {
	r := []byte{pn532.CmdInListPassiveTarget + 1, 0x01, 0x01}
	if typeB {
		atqb := []byte{0x50, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x81, 0x71}
		copy(atqb[1:5], e.opt.UID)
		r = append(r, atqb...)
		return append(r, 0x01, 0x00) // ATTRIB_RES: MBLI 0, CID 0
	}
	atqa := []byte{0x00, 0x04}
	if len(e.opt.UID) > 4 {
		atqa[1] = 0x44
	}
	r = append(r, atqa...)
	r = append(r, 0x20, byte(len(e.opt.UID)))
	r = append(r, e.opt.UID...)
	return append(r, e.opt.ATS...)
}

func (e *engine) inPSL(p []byte) []byte {
	if len(p) != 3 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ok := []byte{pn532.CmdInPSL + 1, 0x00}
	switch {
	case p[1] > pn532.Rate848 || p[2] > pn532.Rate848:
		ok[1] = 0x10 // invalid parameter
	case !e.selected || p[0] != 0x01:
		ok[1] = 0x27 // no such target
	case e.left || e.card == nil:
		ok[1] = e.opt.RemoveStatus
	case (e.opt.NoHighSpeed && (p[1] > 0 || p[2] > 0)) || !atsAllows(e.opt.ATS, e.opt.TypeB, p[1], p[2]) ||
		(e.opt.MaxRate > 0 && 106<<max(p[1], p[2]) > e.opt.MaxRate):
		// The card does not answer the PPS (or answers it with an error): it stays at its rate.
		e.rfDelayLocked(e.rate, 2, 0)
		ok[1] = 0x01
	default:
		// PPS request (PPSS, PPS0, PPS1, CRC) and its answer (PPSS, CRC), at the old rate.
		e.rfDelayLocked(e.rate, 2, 0)
		e.rate = max(p[1], p[2])
	}
	return ok
}

func (e *engine) inDataExchange(ctx context.Context, p []byte) []byte {
	if len(p) < 1 {
		return nil
	}
	status := func(s byte) []byte { return []byte{pn532.CmdInDataExchange + 1, s} }
	tg, mi, out := p[0]&0x3F, p[0]&0x40 != 0, p[1:]
	if len(out) > pn532.MaxDataOut {
		return status(0x10)
	}
	e.mu.Lock()
	if len(e.pending) > 0 && len(out) == 0 && !mi {
		// The host collects the rest of a response sent with MI.
		r := e.dataIn(e.pending)
		e.mu.Unlock()
		return r
	}
	e.pending = nil
	switch {
	case !e.selected || tg != 0x01:
		e.mu.Unlock()
		return status(0x27)
	case e.left || e.card == nil:
		s := e.opt.RemoveStatus
		e.mu.Unlock()
		return status(s)
	}
	if len(e.chain)+len(out) > maxChain {
		e.chain = nil
		e.mu.Unlock()
		return status(0x07)
	}
	e.chain = append(e.chain, out...)
	if mi {
		e.mu.Unlock()
		return status(0x00)
	}
	cmd := e.chain
	e.chain = nil
	if e.opt.RemoveAfter > 0 && e.apdus >= e.opt.RemoveAfter {
		e.left, e.card = true, nil
		s := e.opt.RemoveStatus
		e.mu.Unlock()
		return status(s)
	}
	card := e.card
	e.mu.Unlock()

	resp, err := card.Transmit(ctx, cmd)
	e.mu.Lock()
	if d := e.rfDelayLocked(e.rate, len(cmd), len(resp)); d > 0 {
		e.mu.Unlock()
		sleep(ctx, d)
		e.mu.Lock()
	}
	defer e.mu.Unlock()
	if errors.Is(err, apdu.ErrCardRemoved) {
		// The card says it left the field: the reader sees the target gone.
		e.left, e.card = true, nil
		return status(e.opt.RemoveStatus)
	}
	if err != nil || len(resp) < 2 {
		return status(0x01) // the card did not answer
	}
	e.apdus++
	return e.dataIn(resp)
}

// dataIn answers with at most MaxDataIn bytes, setting MI when more remain. Call with e.mu held.
func (e *engine) dataIn(resp []byte) []byte {
	st := byte(0x00)
	n := len(resp)
	if n > pn532.MaxDataIn {
		n, st = pn532.MaxDataIn, 0x40
		e.pending = append([]byte(nil), resp[n:]...)
	} else {
		e.pending = nil
	}
	r := []byte{pn532.CmdInDataExchange + 1, st}
	return append(r, resp[:n]...)
}

func (e *engine) release(code byte, p []byte) []byte {
	if len(p) != 1 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r := []byte{code + 1, 0x00}
	if p[0] != 0x00 && (p[0] != 0x01 || !e.selected) {
		r[1] = 0x27
		return r
	}
	if code == pn532.CmdInRelease {
		e.selected, e.left = false, false
	}
	return r
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Commands the simulator answers beyond the driver's own (UM0701-02 §7.2).
const (
	cmdGetGeneralStatus  = 0x04
	cmdReadRegister      = 0x06
	cmdWriteRegister     = 0x08
	cmdSetParameters     = 0x12
	cmdPowerDown         = 0x16
	cmdInCommunicateThru = 0x42
)

// serialBauds are the speeds of SetSerialBaudRate's BR codes 00h–08h.
var serialBauds = [...]int{9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 1288000}

func (e *engine) setSerialBaudRate(p []byte) []byte {
	if len(p) != 1 || int(p[0]) >= len(serialBauds) {
		return nil
	}
	b := serialBauds[p[0]]
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opt.MaxBaud > 0 && b > e.opt.MaxBaud {
		return nil
	}
	// The answer goes out at the old speed; the host's ACK to it makes both sides change.
	e.pendingBaud = b
	return []byte{pn532.CmdSetSerialBaudRate + 1}
}

func (e *engine) generalStatus() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	// Err, Field, NbTg, then per target Tg, BrRx, BrTx, Type; SAM status.
	r := []byte{cmdGetGeneralStatus + 1, 0x00, 0x00, 0x00}
	if e.selected {
		r[2], r[3] = 0x01, 0x01
		r = append(r, 0x01, e.rate, e.rate, 0x10)
	}
	return append(r, 0x00)
}

// readRegister answers the values last written (0 for the others): libnfc reads CIU
// registers to change single bits and writes them back.
func (e *engine) readRegister(p []byte) []byte {
	if len(p) == 0 || len(p)%2 != 0 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	r := []byte{cmdReadRegister + 1}
	for i := 0; i < len(p); i += 2 {
		r = append(r, e.regs[uint16(p[i])<<8|uint16(p[i+1])])
	}
	return r
}

func (e *engine) writeRegister(p []byte) []byte {
	if len(p) == 0 || len(p)%3 != 0 {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := 0; i < len(p); i += 3 {
		e.regs[uint16(p[i])<<8|uint16(p[i+1])] = p[i+2]
	}
	return []byte{cmdWriteRegister + 1}
}

// atsAllows reports whether a type A card's ATS (TA(1), ISO/IEC 14443-4 §5.2.4) allows the
// InPSL bit rates dri (reader to card) and dsi (card to reader). TA(1) b7–b5 are DS = 8, 4, 2
// (card to reader), b3–b1 DR = 8, 4, 2 (reader to card), b8 asks for the same rate both
// ways. An ATS without TA(1) allows 106 kbps only.
func atsAllows(ats []byte, typeB bool, dri, dsi byte) bool {
	if dri == 0 && dsi == 0 {
		return true
	}
	if typeB {
		return false
	}
	if len(ats) < 3 || ats[1]&0x10 == 0 {
		return false
	}
	ta := ats[2]
	if ta&0x80 != 0 && dri != dsi {
		return false
	}
	ok := func(code byte, shift uint) bool {
		return code == 0 || ta>>shift&(1<<(code-1)) != 0
	}
	return ok(dri, 0) && ok(dsi, 4)
}

// The RF model (ISO/IEC 14443-2/-3/-4): the bit rate is fc/128 × 2^rate (fc = 13.56 MHz);
// a type A byte is 8 bits and a parity bit, a frame adds its start and end bits; an
// ISO/IEC 14443-4 I-block adds PCB and CRC_A (3 bytes) and carries at most fsc-3 bytes (FSC
// 256 from the ATS), longer data is chained, each block but the last answered by an R(ACK)
// of 3 bytes. Type B bytes are 10 bits, with SOF and EOF about 22 bits a frame. Frame delay
// and waiting times are not modelled.
const (
	fc       = 13_560_000
	blockMax = 256 - 3
)

// RFTime is the modelled time on the air of one ISO/IEC 14443-4 exchange carrying a command
// of cmd bytes and a response of resp bytes at rate (0 106 kbps … 3 848 kbps), type A.
func RFTime(cmd, resp int, rate byte) time.Duration {
	bits := blockBits(cmd) + blockBits(resp)
	return bitTime(bits, rate)
}

// RFBytes is how many bytes the exchange puts on the air, framing included.
func RFBytes(cmd, resp int) int {
	return blockBytes(cmd) + blockBytes(resp)
}

func blocks(n int) int { return max(1, (n+blockMax-1)/blockMax) }

func blockBytes(n int) int {
	k := blocks(n)
	return n + 3*k + 3*(k-1) // I-blocks, and the R(ACK) blocks of the chain
}

func blockBits(n int) int {
	k := blocks(n)
	frames := 2*k - 1
	return 9*blockBytes(n) + 2*frames
}

func bitTime(bits int, rate byte) time.Duration {
	return time.Duration(int64(bits) * 128 * int64(time.Second) / (int64(fc) << rate))
}

// LineTime is how long n bytes take on a UART at baud (8N1: 10 bits a byte).
func LineTime(n, baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	return time.Duration(int64(n) * 10 * int64(time.Second) / int64(baud))
}

// rfDelayLocked counts an exchange of a command of cmd bytes and an answer of resp bytes at
// rate and returns the time to wait (0 without LineTiming). Call with e.mu held.
func (e *engine) rfDelayLocked(rate byte, cmd, resp int) time.Duration {
	d := RFTime(cmd, resp, rate)
	e.timing.RF += d
	e.timing.RFBytes += int64(RFBytes(cmd, resp))
	if !e.opt.LineTiming {
		return 0
	}
	return d
}

// activationDelay counts the activation of the card at 106 kbps and returns the time to wait.
// Call with e.mu held.
func (e *engine) activationDelay(typeB bool) time.Duration {
	d, n := Activation(typeB, len(e.opt.UID), len(e.opt.ATS))
	e.timing.RF += d
	e.timing.RFBytes += int64(n)
	if !e.opt.LineTiming {
		return 0
	}
	return d
}

// Activation is the modelled time on the air, and the bytes, of activating a card at 106 kbps.
// Type A: REQA (7 bits) and ATQA, per cascade level (UID of uidLen bytes) ANTICOLLISION and
// SELECT with their answers, then RATS and the ATS of atsLen bytes. Type B: REQB/ATQB and
// ATTRIB and its answer.
func Activation(typeB bool, uidLen, atsLen int) (time.Duration, int) {
	var bits, n int
	frame := func(bytes int) { bits += 9*bytes + 2; n += bytes }
	if typeB {
		for _, b := range []int{5, 14, 11, 3} {
			bits += 10*b + 22
			n += b
		}
		return bitTime(bits, 0), n
	}
	bits += 9
	frame(2)
	levels := 1
	if uidLen > 4 {
		levels = 2
	}
	if uidLen > 7 {
		levels = 3
	}
	for range levels {
		frame(2) // ANTICOLLISION
		frame(5) // UID CLn and BCC
		frame(9) // SELECT
		frame(3) // SAK and CRC
	}
	frame(4)          // RATS
	frame(atsLen + 2) // ATS and CRC
	return bitTime(bits, 0), n
}

// PPS is the modelled time on the air, and the bytes, of a PPS exchange at rate (InPSL).
func PPS(rate byte) (time.Duration, int) {
	return RFTime(2, 0, rate), RFBytes(2, 0)
}
