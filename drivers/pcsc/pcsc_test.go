package pcsc_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/pcsc"
	"github.com/tramso/tramso/drivers/pcsc/pcsctest"
	"github.com/tramso/tramso/drivers/pcsc/vicc"
)

var eMRTDAID = []byte{0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01}

// testCard answers SELECT of the eMRTD application with 9000, INS 0xEE by failing (the card leaves
// the field mid-exchange), INS 0x5E by answering after a pause, and echoes anything else.
type testCard struct {
	mu     sync.Mutex
	resets int
	pause  time.Duration
}

func (c *testCard) Transmit(ctx context.Context, b []byte) ([]byte, error) {
	cmd, err := apdu.ParseCommand(b)
	if err != nil {
		return []byte{0x67, 0x00}, nil
	}
	switch cmd.INS {
	case 0xA4:
		if bytes.Equal(cmd.Data, eMRTDAID) {
			return []byte{0x90, 0x00}, nil
		}
		return []byte{0x6A, 0x82}, nil
	case 0xEE:
		return nil, errors.New("field lost")
	case 0x5E:
		c.mu.Lock()
		d := c.pause
		c.mu.Unlock()
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return append(append([]byte(nil), cmd.Data...), 0x90, 0x00), nil
}

func (c *testCard) Reset() {
	c.mu.Lock()
	c.resets++
	c.mu.Unlock()
}

func insert(t *testing.T, d *pcsctest.Daemon, card vicc.Card) *vicc.ICC {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	icc, err := vicc.Insert(ctx, d.VPCDAddr, card, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { icc.Remove() })
	return icc
}

func open(t *testing.T, d *pcsctest.Daemon) *pcsc.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pcsc.OpenSocket(ctx, d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Release() })
	return c
}

func selectAID(t *testing.T, ctx context.Context, card *pcsc.Card) {
	t.Helper()
	cmd, _ := apdu.Command{CLA: 0x00, INS: 0xA4, P1: 0x04, P2: 0x0C, Data: eMRTDAID}.Bytes()
	resp, err := card.Transmit(ctx, cmd)
	if err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	if !bytes.Equal(resp, []byte{0x90, 0x00}) {
		t.Fatalf("SELECT answered % X", resp)
	}
}

func TestReadersConnectTransmit(t *testing.T) {
	d := pcsctest.Start(t)
	c := open(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	names, err := c.Readers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[0] != d.Reader || names[1] != d.Reader2 {
		t.Fatalf("Readers = %q, want [%q %q]", names, d.Reader, d.Reader2)
	}

	if _, err := c.Connect(ctx, d.Reader); !errors.Is(err, apdu.ErrNoCard) {
		t.Fatalf("Connect with no card: %v, want ErrNoCard", err)
	}

	tc := &testCard{}
	insert(t, d, tc)
	// A prefix in another case picks the reader that holds the card.
	card, err := c.WaitForCard(ctx, "TRAMSO VPCD")
	if err != nil {
		t.Fatal(err)
	}
	defer card.Disconnect()
	if card.Reader() != d.Reader {
		t.Errorf("card in %q, want %q", card.Reader(), d.Reader)
	}
	if !bytes.Equal(card.ATR(), vicc.DefaultATR()) {
		t.Errorf("ATR % X, want % X", card.ATR(), vicc.DefaultATR())
	}
	if card.Protocol() != 2 {
		t.Errorf("protocol %d, want T=1 (2)", card.Protocol())
	}
	selectAID(t, ctx, card)

	// An extended-length command and a long answer pass unchanged.
	data := bytes.Repeat([]byte{0x5A, 0xA5, 0x01}, 400)
	cmd, _ := apdu.Command{CLA: 0x00, INS: 0xD6, Data: data, Ne: 65536}.Bytes()
	resp, err := card.Transmit(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp, append(data, 0x90, 0x00)) {
		t.Fatalf("echo of %d bytes came back as %d bytes", len(data), len(resp))
	}

	if _, err := card.Transmit(ctx, []byte{0x00}); !errors.Is(err, apdu.ErrMalformed) {
		t.Errorf("1-byte command: %v, want ErrMalformed", err)
	}
	if err := card.Disconnect(); err != nil {
		t.Fatal(err)
	}
	if err := card.Disconnect(); err != nil {
		t.Errorf("second Disconnect: %v", err)
	}
	if _, err := card.Transmit(ctx, cmd); !errors.Is(err, pcsc.ErrClosed) {
		t.Errorf("Transmit after Disconnect: %v, want ErrClosed", err)
	}
	tc.mu.Lock()
	resets := tc.resets
	tc.mu.Unlock()
	if resets == 0 {
		t.Error("the card was never powered or reset")
	}
}

func TestWaitForCardWaitsAndCancels(t *testing.T) {
	d := pcsctest.Start(t)
	c := open(t, d)

	// Deadline: apdu.ErrTimeout.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err := c.WaitForCard(ctx, d.Reader)
	cancel()
	if !errors.Is(err, apdu.ErrTimeout) {
		t.Fatalf("WaitForCard past its deadline: %v, want ErrTimeout", err)
	}

	// Cancel: returns promptly with context.Canceled.
	ctx, cancel = context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.WaitForCard(ctx, "")
		errc <- err
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled WaitForCard: %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("cancel took %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitForCard did not return after cancel")
	}

	// The context still works, and a wait in progress sees a card put on later.
	ctx, cancel = context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cardc := make(chan *pcsc.Card, 1)
	go func() {
		card, err := c.WaitForCard(ctx, d.Reader)
		if err != nil {
			errc <- err
			return
		}
		cardc <- card
	}()
	select {
	case <-cardc:
		t.Fatal("WaitForCard returned before a card was inserted")
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(500 * time.Millisecond):
	}
	insert(t, d, &testCard{})
	select {
	case card := <-cardc:
		selectAID(t, ctx, card)
		card.Disconnect()
	case err := <-errc:
		t.Fatal(err)
	case <-ctx.Done():
		t.Fatal("WaitForCard did not see the card")
	}

	// Release ends a wait in progress.
	c2 := open(t, d)
	go func() {
		_, err := c2.WaitForCard(ctx, d.Reader2)
		errc <- err
	}()
	time.Sleep(200 * time.Millisecond)
	c2.Release()
	select {
	case err := <-errc:
		if !errors.Is(err, pcsc.ErrClosed) {
			t.Fatalf("WaitForCard on a released context: %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Release did not end WaitForCard")
	}
}

func TestCardRemovedMidSession(t *testing.T) {
	d := pcsctest.Start(t)
	c := open(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// The card leaves during an exchange.
	insert(t, d, &testCard{})
	card, err := c.WaitForCard(ctx, d.Reader)
	if err != nil {
		t.Fatal(err)
	}
	selectAID(t, ctx, card)
	_, err = card.Transmit(ctx, []byte{0x00, 0xEE, 0x00, 0x00})
	if !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("card lost mid-exchange: %v, want ErrCardRemoved", err)
	}
	// Later commands on that connection fail the same way.
	if _, err := card.Transmit(ctx, []byte{0x00, 0xB0, 0x00, 0x00, 0x10}); !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("transmit after loss: %v, want ErrCardRemoved", err)
	}
	card.Disconnect()
	// The citizen puts the card back a moment later (pcscd polls the virtual reader every 0.4 s and
	// must see it empty once, as it would with a real card taken off the reader).
	time.Sleep(time.Second)

	// The card is put back, then pulled out between exchanges.
	icc := insert(t, d, &testCard{})
	card, err = c.WaitForCard(ctx, d.Reader)
	if err != nil {
		t.Fatal(err)
	}
	selectAID(t, ctx, card)
	removed := make(chan error, 1)
	go func() { removed <- c.WaitForRemoval(ctx, d.Reader) }()
	select {
	case err := <-removed:
		t.Fatalf("WaitForRemoval returned with the card present: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	if err := icc.Remove(); err != nil {
		t.Fatal(err)
	}
	if err := <-removed; err != nil {
		t.Fatalf("WaitForRemoval: %v", err)
	}
	_, err = card.Transmit(ctx, []byte{0x00, 0xB0, 0x00, 0x00, 0x10})
	if !errors.Is(err, apdu.ErrCardRemoved) {
		t.Fatalf("transmit after removal: %v, want ErrCardRemoved", err)
	}
	var perr *pcsc.Error
	if !errors.As(err, &perr) || perr.Code != 0x80100069 {
		t.Errorf("transmit after removal: %v, want SCARD_W_REMOVED_CARD", err)
	}
	card.Disconnect()

	// And once more: a fresh card works on the same context.
	insert(t, d, &testCard{})
	card, err = c.WaitForCard(ctx, d.Reader)
	if err != nil {
		t.Fatal(err)
	}
	selectAID(t, ctx, card)
	card.Disconnect()
}

func TestTransmitDeadline(t *testing.T) {
	d := pcsctest.Start(t)
	c := open(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tc := &testCard{pause: 1500 * time.Millisecond}
	insert(t, d, tc)
	card, err := c.WaitForCard(ctx, d.Reader)
	if err != nil {
		t.Fatal(err)
	}
	defer card.Disconnect()

	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	_, err = card.Transmit(short, []byte{0x00, 0x5E, 0x00, 0x00, 0x01, 0x42})
	cancelShort()
	if !errors.Is(err, apdu.ErrTimeout) {
		t.Fatalf("slow card: %v, want ErrTimeout", err)
	}
	// The late answer is consumed in the background; the next exchange gets its own answer.
	resp, err := card.Transmit(ctx, []byte{0x00, 0xD6, 0x00, 0x00, 0x01, 0x43})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp, []byte{0x43, 0x90, 0x00}) {
		t.Fatalf("answer % X, want 43 90 00", resp)
	}
}

func TestNoServiceNoReader(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := pcsc.OpenSocket(ctx, filepath.Join(t.TempDir(), "pcscd.comm"))
	if !errors.Is(err, pcsc.ErrNoService) || !errors.Is(err, apdu.ErrReaderGone) {
		t.Fatalf("no pcscd: %v, want ErrNoService and ErrReaderGone", err)
	}
	if !strings.Contains(err.Error(), "khởi động pcscd") || !strings.Contains(err.Error(), "start it") {
		t.Errorf("message does not say to start pcscd: %v", err)
	}

	d := pcsctest.Start(t)
	c := open(t, d)
	_, err = c.WaitForCard(ctx, "ACS ACR122U")
	if !errors.Is(err, pcsc.ErrNoReader) || !errors.Is(err, apdu.ErrReaderGone) {
		t.Fatalf("missing reader: %v, want ErrNoReader", err)
	}
	if !strings.Contains(err.Error(), "cắm đầu đọc") {
		t.Errorf("message does not say to plug the reader: %v", err)
	}
	if _, err := pcsc.OpenDevice(ctx, "pcsc:ACS?socket="+d.Socket); !errors.Is(err, pcsc.ErrNoReader) {
		t.Errorf("OpenDevice of a missing reader: %v", err)
	}

	// pcscd stops under an open context.
	d.Stop()
	if _, err := c.Readers(ctx); !errors.Is(err, apdu.ErrReaderGone) {
		t.Fatalf("Readers after pcscd stopped: %v, want ErrReaderGone", err)
	}
}

func TestOpenDevice(t *testing.T) {
	d := pcsctest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	r, err := pcsc.OpenDevice(ctx, "pcsc:"+strings.ReplaceAll(d.Reader2, " ", "%20")+"?socket="+d.Socket)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Name != d.Reader2 {
		t.Fatalf("Name = %q", r.Name)
	}
	// The second slot waits on the next port.
	host, port, _ := net.SplitHostPort(d.VPCDAddr)
	p, _ := strconv.Atoi(port)
	icc, err := vicc.Insert(ctx, net.JoinHostPort(host, strconv.Itoa(p+1)), &testCard{}, []byte{0x3B, 0x00})
	if err != nil {
		t.Fatal(err)
	}
	defer icc.Remove()
	card, err := r.WaitForCard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer card.Disconnect()
	if card.Reader() != d.Reader2 || !bytes.Equal(card.ATR(), []byte{0x3B, 0x00}) {
		t.Fatalf("card in %q with ATR % X", card.Reader(), card.ATR())
	}
	selectAID(t, ctx, card)
}
