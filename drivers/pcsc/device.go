package pcsc

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Reader is a PC/SC reader picked by a device string: a context with pcscd and the reader name (or
// name prefix) to use; an empty name means whichever reader a card is put on.
type Reader struct {
	Name string
	ctx  *Context
}

// ParseDevice parses a device string "pcsc", "pcsc:NAME" or "pcsc:NAME?socket=/path/pcscd.comm".
// NAME is a reader name or the start of one (e.g. "ACS ACR122U"), matched ignoring case; socket
// defaults to SocketPath().
func ParseDevice(device string) (name, socket string, err error) {
	rest, ok := strings.CutPrefix(device, "pcsc")
	if !ok || (rest != "" && rest[0] != ':' && rest[0] != '?') {
		return "", "", fmt.Errorf("thiết bị %q không phải PC/SC, cần dạng pcsc hoặc pcsc:TÊN (not a PC/SC device string)", device)
	}
	rest = strings.TrimPrefix(rest, ":")
	name, query, _ := strings.Cut(rest, "?")
	if name, err = url.PathUnescape(name); err != nil {
		return "", "", fmt.Errorf("tên đầu đọc sai (bad reader name) in %q: %w", device, err)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("tham số thiết bị sai (bad device options) in %q: %w", device, err)
	}
	socket = SocketPath()
	for k, v := range q {
		switch k {
		case "socket":
			socket = v[len(v)-1]
		default:
			return "", "", fmt.Errorf("tham số thiết bị không biết (unknown device option) %q", k)
		}
	}
	return name, socket, nil
}

// OpenDevice opens the reader a device string names (see ParseDevice) and checks that pcscd runs
// and such a reader is plugged in.
func OpenDevice(ctx context.Context, device string) (*Reader, error) {
	name, socket, err := ParseDevice(device)
	if err != nil {
		return nil, err
	}
	c, err := OpenSocket(ctx, socket)
	if err != nil {
		return nil, err
	}
	states, err := c.readerStates(ctx, "OpenDevice")
	if err == nil && len(matchReaders(states, name)) == 0 {
		err = noReader("OpenDevice", name)
	}
	if err != nil {
		c.Release()
		return nil, err
	}
	return &Reader{Name: name, ctx: c}, nil
}

// Context returns the context with pcscd the reader uses.
func (r *Reader) Context() *Context { return r.ctx }

// WaitForCard waits for a card on the reader and connects to it (see Context.WaitForCard).
func (r *Reader) WaitForCard(ctx context.Context) (*Card, error) {
	return r.ctx.WaitForCard(ctx, r.Name)
}

// Connect connects to the card on the reader now (see Context.Connect).
func (r *Reader) Connect(ctx context.Context) (*Card, error) { return r.ctx.Connect(ctx, r.Name) }

// Close releases the context with pcscd.
func (r *Reader) Close() error { return r.ctx.Release() }
