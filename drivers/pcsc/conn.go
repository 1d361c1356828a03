package pcsc

import (
	"context"
	"errors"
	"fmt"
	"github.com/tramso/tramso/internal/errtext"
	"io"
	"net"
	"sync"
)

// conn is one connection to pcscd's socket. One request is on the wire at a time. A request whose
// caller gives up (context done) keeps going in the background until pcscd answers, so the stream
// stays in step and the next request simply waits for it.
type conn struct {
	nc  net.Conn
	sem chan struct{} // holds a token while a request is on the wire

	mu  sync.Mutex
	err error // set once the stream broke; every later request fails with it
}

// dial connects to pcscd at path and checks that it speaks protocol 4.4.
func dial(ctx context.Context, path string) (*conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxError(ctx, "Open")
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrNoService, path, err)
	}
	cn := &conn{nc: nc, sem: make(chan struct{}, 1)}
	var ans [versionSize]byte
	err = cn.do(ctx, "Open", func(rw io.ReadWriter) error {
		if _, err := rw.Write(message(cmdVersion, versionSize, protocolMajor, protocolMinor, 0)); err != nil {
			return err
		}
		_, err := io.ReadFull(rw, ans[:])
		return err
	})
	if err != nil {
		cn.close()
		return nil, err
	}
	if w := words(ans[:]); w[2] != rvSuccess {
		cn.close()
		return nil, errtext.Wrap(fmt.Errorf("pcscd dùng giao thức %d.%d, chương trình cần %d.%d (pcscd speaks protocol %d.%d, need %d.%d)",
			w[0], w[1], protocolMajor, protocolMinor, w[0], w[1], protocolMajor, protocolMinor), ErrNoService)
	}
	return cn, nil
}

// do runs one exchange fn on the connection. It returns when fn is done or ctx is; in the second
// case fn still runs to its end in the background.
func (cn *conn) do(ctx context.Context, op string, fn func(rw io.ReadWriter) error) error {
	select {
	case cn.sem <- struct{}{}:
	case <-ctx.Done():
		return ctxError(ctx, op)
	}
	if err := cn.broken(); err != nil {
		<-cn.sem
		return fmt.Errorf("%s: %w", op, err)
	}
	done := make(chan error, 1)
	go func() {
		err := fn(cn.nc)
		if err != nil {
			err = cn.fail(err)
		}
		<-cn.sem
		done <- err
	}()
	select {
	case err := <-done:
		return wrapOp(op, err)
	case <-ctx.Done():
		select {
		case err := <-done:
			return wrapOp(op, err)
		default:
			return ctxError(ctx, op)
		}
	}
}

func wrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}

// fail records that the stream broke and closes it.
func (cn *conn) fail(cause error) error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	if cn.err == nil {
		if errors.Is(cause, net.ErrClosed) {
			cn.err = ErrClosed
		} else {
			cn.err = errtext.Wrap(ErrNoService, fmt.Errorf("lost connection to pcscd: %v", cause))
		}
		cn.nc.Close()
	}
	return cn.err
}

func (cn *conn) broken() error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	return cn.err
}

// close closes the connection; requests in the background end with ErrClosed.
func (cn *conn) close() error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	if cn.err == nil {
		cn.err = ErrClosed
		return cn.nc.Close()
	}
	return nil
}
