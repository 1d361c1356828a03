package pcsc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
)

// DefaultSocket is where pcscd listens on Debian and most Linux systems.
const DefaultSocket = "/run/pcscd/pcscd.comm"

// SocketPath returns the pcscd socket a client should use: $PCSCLITE_CSOCK_NAME when set (the
// variable libpcsclite honours too), else DefaultSocket.
func SocketPath() string {
	if s := os.Getenv("PCSCLITE_CSOCK_NAME"); s != "" {
		return s
	}
	return DefaultSocket
}

// Context is an application context with pcscd: it lists readers, waits for cards and connects to
// them. Its methods may be called from several goroutines; requests to pcscd go one at a time. If
// pcscd stops, every call fails with an error wrapping ErrNoService and the Context must be
// released and opened again.
type Context struct {
	socket   string
	cn       *conn
	hContext uint32

	mu     sync.Mutex
	closed bool
	waits  map[*conn]struct{} // connections of waits in progress, closed by Release
}

// Open establishes a context with pcscd on SocketPath().
func Open(ctx context.Context) (*Context, error) { return OpenSocket(ctx, SocketPath()) }

// OpenSocket establishes a context with the pcscd listening on the unix socket at path.
func OpenSocket(ctx context.Context, path string) (*Context, error) {
	cn, err := dial(ctx, path)
	if err != nil {
		return nil, err
	}
	var ans [establishSize]byte
	err = cn.do(ctx, "EstablishContext", func(rw io.ReadWriter) error {
		if _, err := rw.Write(message(cmdEstablishContext, establishSize, scopeSystem, 0, 0)); err != nil {
			return err
		}
		_, err := io.ReadFull(rw, ans[:])
		return err
	})
	if err != nil {
		cn.close()
		return nil, err
	}
	w := words(ans[:])
	if w[2] != rvSuccess {
		cn.close()
		return nil, &Error{Op: "EstablishContext", Code: w[2]}
	}
	return &Context{socket: path, cn: cn, hContext: w[1]}, nil
}

func (c *Context) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// readerStates fetches the reader table from pcscd.
func (c *Context) readerStates(ctx context.Context, op string) ([]readerState, error) {
	if c.isClosed() {
		return nil, fmt.Errorf("%s: %w", op, ErrClosed)
	}
	return getReaderStates(ctx, c.cn, op, cmdGetReadersState)
}

// getReaderStates sends cmd (get states, or get states and register for the next event) and reads
// the table pcscd answers with.
func getReaderStates(ctx context.Context, cn *conn, op string, cmd uint32) ([]readerState, error) {
	table := make([]byte, readerTableSize)
	err := cn.do(ctx, op, func(rw io.ReadWriter) error {
		if _, err := rw.Write(message(cmd, 0)); err != nil {
			return err
		}
		_, err := io.ReadFull(rw, table)
		return err
	})
	if err != nil {
		return nil, err
	}
	states, err := parseReaderStates(table)
	if err != nil {
		cn.fail(err)
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return states, nil
}

// Readers returns the names of the readers pcscd knows, in its order.
func (c *Context) Readers(ctx context.Context) ([]string, error) {
	states, err := c.readerStates(ctx, "Readers")
	if err != nil {
		return nil, err
	}
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = s.Name
	}
	return names, nil
}

// matchReaders keeps the readers that name selects: all for "", else the one called exactly name,
// else those whose name starts with name (ignoring case).
func matchReaders(states []readerState, name string) []readerState {
	if name == "" {
		return states
	}
	for _, s := range states {
		if s.Name == name {
			return []readerState{s}
		}
	}
	var out []readerState
	for _, s := range states {
		if len(s.Name) >= len(name) && strings.EqualFold(s.Name[:len(name)], name) {
			out = append(out, s)
		}
	}
	return out
}

func noReader(op, name string) error {
	if name == "" {
		return fmt.Errorf("%s: %w", op, ErrNoReader)
	}
	return fmt.Errorf("%s %q: %w", op, name, ErrNoReader)
}

// Connect connects to the card in the reader named (or prefixed) reader, in shared mode with T=0 or
// T=1. With reader "" it takes the first reader that holds a card. It fails at once, wrapping
// apdu.ErrNoCard when no card is there and apdu.ErrReaderGone when no such reader is plugged in.
func (c *Context) Connect(ctx context.Context, reader string) (*Card, error) {
	states, err := c.readerStates(ctx, "Connect")
	if err != nil {
		return nil, err
	}
	matched := matchReaders(states, reader)
	if len(matched) == 0 {
		return nil, noReader("Connect", reader)
	}
	target := matched[0]
	for _, s := range matched {
		if s.cardReady() {
			target = s
			break
		}
	}
	return c.connect(ctx, target)
}

func (c *Context) connect(ctx context.Context, r readerState) (*Card, error) {
	var ans [connectSize]byte
	err := c.cn.do(ctx, "Connect", func(rw io.ReadWriter) error {
		if _, err := rw.Write(connectMessage(c.hContext, r.Name)); err != nil {
			return err
		}
		_, err := io.ReadFull(rw, ans[:])
		return err
	})
	if err != nil {
		return nil, err
	}
	w := words(ans[4+maxReaderName:]) // share, protocols, hCard, active protocol, rv
	if w[4] != rvSuccess {
		return nil, &Error{Op: "Connect", Code: w[4]}
	}
	return &Card{c: c, h: int32(w[2]), proto: w[3], reader: r.Name, atr: r.ATR}, nil
}

// pollNotReady is how long WaitForCard waits before looking again at a card pcscd is still powering.
const pollNotReady = 100 * time.Millisecond

// WaitForCard waits until a card is in the reader named (or prefixed) reader, or in any reader for
// "", and connects to it. It returns at once with an error wrapping apdu.ErrReaderGone when no such
// reader is plugged in or it is unplugged while waiting. It waits as long as ctx allows: a deadline
// gives an error wrapping apdu.ErrTimeout. A card that does not answer (mute, or gone again before
// the connection) is tried again only after pcscd reports a change on its reader.
func (c *Context) WaitForCard(ctx context.Context, reader string) (*Card, error) {
	const op = "WaitForCard"
	failed := map[string]readerState{}
	for {
		var target readerState
		err := c.watch(ctx, op, reader, func(matched []readerState) (done, retry bool) {
			for _, s := range matched {
				if candidate(s, failed) {
					target = s
					return true, false
				}
			}
			for _, s := range matched {
				if s.State&statePresent != 0 && s.ATRLen == readerNotInitialized {
					return false, true
				}
			}
			return false, false
		})
		if err != nil {
			return nil, err
		}
		card, err := c.connect(ctx, target)
		if errors.Is(err, apdu.ErrNoCard) {
			failed[target.Name] = target
			continue
		}
		return card, err
	}
}

// candidate reports whether WaitForCard should try to connect to the card in s: one is there, pcscd
// is done powering it, and it is not the same state a connection already failed in.
func candidate(s readerState, failed map[string]readerState) bool {
	if s.State&statePresent == 0 || s.ATRLen == readerNotInitialized {
		return false
	}
	f, ok := failed[s.Name]
	return !ok || f.Events != s.Events || f.State != s.State || f.ATRLen != s.ATRLen
}

// WaitForRemoval waits until no card is left in the reader named (or prefixed) reader, or in any
// reader for "": the kiosk asks the citizen to take the card and goes on once it is taken. A reader
// unplugged meanwhile counts as empty.
func (c *Context) WaitForRemoval(ctx context.Context, reader string) error {
	err := c.watch(ctx, "WaitForRemoval", reader, func(matched []readerState) (done, retry bool) {
		for _, s := range matched {
			if s.State&statePresent != 0 {
				return false, false
			}
		}
		return true, false
	})
	if errors.Is(err, ErrNoReader) {
		return nil
	}
	return err
}

// watch follows the readers matching reader: after every change pcscd reports it calls check, until
// check says done. retry asks to look again shortly even without a change (pcscd still powering a
// card). Waiting happens on a connection of its own, so that the Context stays free for other calls
// and giving up only means closing that connection (pcscd then drops the registration).
func (c *Context) watch(ctx context.Context, op, reader string, check func([]readerState) (done, retry bool)) error {
	for {
		if c.isClosed() {
			return fmt.Errorf("%s: %w", op, ErrClosed)
		}
		wc, err := dial(ctx, c.socket)
		if err != nil {
			return err
		}
		if !c.addWait(wc) {
			wc.close()
			return fmt.Errorf("%s: %w", op, ErrClosed)
		}
		retry, err := watchOnce(ctx, wc, op, reader, check)
		c.removeWait(wc)
		wc.close()
		if err != nil || !retry {
			return err
		}
		t := time.NewTimer(pollNotReady)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctxError(ctx, op)
		case <-t.C:
		}
	}
}

func (c *Context) addWait(wc *conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	if c.waits == nil {
		c.waits = map[*conn]struct{}{}
	}
	c.waits[wc] = struct{}{}
	return true
}

func (c *Context) removeWait(wc *conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.waits, wc)
}

func watchOnce(ctx context.Context, wc *conn, op, reader string, check func([]readerState) (done, retry bool)) (retry bool, err error) {
	stop := context.AfterFunc(ctx, func() { wc.close() })
	defer stop()
	fail := func(err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctxError(ctx, op)
		}
		return false, err
	}
	for {
		// Register for the next event; pcscd answers with the current states.
		states, err := getReaderStates(ctx, wc, op, cmdWaitReaderState)
		if err != nil {
			return fail(err)
		}
		matched := matchReaders(states, reader)
		if len(matched) == 0 {
			return false, noReader(op, reader)
		}
		done, retry := check(matched)
		if done || retry {
			return retry, nil
		}
		var ans [waitSize]byte
		err = wc.do(ctx, op, func(rw io.ReadWriter) error {
			_, err := io.ReadFull(rw, ans[:])
			return err
		})
		if err != nil {
			return fail(err)
		}
		if rv := words(ans[:])[1]; rv != rvSuccess {
			return false, &Error{Op: op, Code: rv}
		}
	}
}

// Release ends the context: pcscd lets go of every card connected through it. Calls in progress,
// waits included, fail with ErrClosed.
func (c *Context) Release() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	for wc := range c.waits {
		wc.close()
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var ans [releaseSize]byte
	err := c.cn.do(ctx, "ReleaseContext", func(rw io.ReadWriter) error {
		if _, err := rw.Write(message(cmdReleaseContext, releaseSize, c.hContext, 0)); err != nil {
			return err
		}
		_, err := io.ReadFull(rw, ans[:])
		return err
	})
	c.cn.close()
	if err != nil {
		return err
	}
	if rv := words(ans[:])[1]; rv != rvSuccess {
		return &Error{Op: "ReleaseContext", Code: rv}
	}
	return nil
}

// Card is a connection to the card in one reader. It implements apdu.Transceiver.
type Card struct {
	c      *Context
	h      int32
	proto  uint32
	reader string
	atr    []byte

	mu     sync.Mutex
	closed bool
}

var _ apdu.Transceiver = (*Card)(nil)

// Reader returns the name of the reader the card is in.
func (k *Card) Reader() string { return k.reader }

// ATR returns the card's answer to reset as pcscd reported it when connecting. For a contactless
// card it is the one the reader builds (PC/SC part 3).
func (k *Card) ATR() []byte { return append([]byte(nil), k.atr...) }

// Protocol returns the protocol in use: 1 for T=0, 2 for T=1.
func (k *Card) Protocol() int { return int(k.proto) }

func (k *Card) isClosed() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.closed || k.c.isClosed()
}

// Transmit sends one command APDU and returns the card's whole response (data || SW1 SW2). A card
// that left the reader gives an error wrapping apdu.ErrCardRemoved; the caller reconnects (WaitForCard)
// and starts its session again. If ctx ends first the call returns (apdu.ErrTimeout for a deadline)
// and the exchange finishes in the background; the card's state is then unknown to the caller.
func (k *Card) Transmit(ctx context.Context, command []byte) ([]byte, error) {
	const op = "Transmit"
	if k.isClosed() {
		return nil, fmt.Errorf("%s: %w", op, ErrClosed)
	}
	if len(command) < 4 || len(command) > maxBufferExtend {
		return nil, fmt.Errorf("%s: %w: %d bytes", op, apdu.ErrMalformed, len(command))
	}
	var (
		ans  [transmitSize]byte
		resp []byte
	)
	err := k.c.cn.do(ctx, op, func(rw io.ReadWriter) error {
		if _, err := rw.Write(transmitMessage(k.h, k.proto, command)); err != nil {
			return err
		}
		if _, err := io.ReadFull(rw, ans[:]); err != nil {
			return err
		}
		w := words(ans[:])
		if w[7] != rvSuccess {
			return nil
		}
		if w[6] > maxBufferExtend {
			return fmt.Errorf("pcscd announced a %d-byte response", w[6])
		}
		resp = make([]byte, w[6])
		_, err := io.ReadFull(rw, resp)
		return err
	})
	if err != nil {
		return nil, err
	}
	if rv := words(ans[:])[7]; rv != rvSuccess {
		return nil, &Error{Op: op, Code: rv}
	}
	if len(resp) < 2 {
		// No status word: the reader lost the card during the exchange (vpcd reports a card that
		// vanished mid-exchange this way; a present card always ends its answer with SW1 SW2).
		return nil, fmt.Errorf("%s: response of %d bytes without status word: %w",
			op, len(resp), apdu.ErrCardRemoved)
	}
	return resp, nil
}

// Disconnect ends the connection to the card and resets it, so no session state (secure messaging
// keys) survives for the next person. Calling it again does nothing.
func (k *Card) Disconnect() error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil
	}
	k.closed = true
	k.mu.Unlock()
	if k.c.isClosed() {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var ans [disconnectSize]byte
	err := k.c.cn.do(ctx, "Disconnect", func(rw io.ReadWriter) error {
		if _, err := rw.Write(message(cmdDisconnect, disconnectSize, uint32(k.h), dispositionRst, 0)); err != nil {
			return err
		}
		_, err := io.ReadFull(rw, ans[:])
		return err
	})
	if err != nil {
		return err
	}
	switch rv := words(ans[:])[2]; rv {
	case rvSuccess, rvRemovedCard, rvNoSmartcard, rvResetCard:
		return nil
	default:
		return &Error{Op: "Disconnect", Code: rv}
	}
}
