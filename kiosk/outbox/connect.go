package outbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tramso/tramso/kiosk/central"
)

// Connect returns a central API client for the kiosk of s. With caPEM (the pinned CA of the central
// server) it uses TLS, enrolling first if the kiosk has no client certificate yet (CSR → certificate,
// saved beside the device key), then mTLS. Without caPEM it speaks plain HTTP, which only a loopback
// development server accepts, and registers the device key there, saving the certificate that
// server issues (the kiosk signs its copies with it). Enrolment is retried with backoff until it
// succeeds or ctx ends.
func Connect(ctx context.Context, s *Store, baseURL string, caPEM []byte, opts central.Options) (*central.Client, error) {
	opts.KioskID = s.KioskID()
	enrolled := false
	if caPEM != nil {
		cert, err := s.ClientCertificate()
		switch {
		case err == nil:
			enrolled = true
			if opts.TLS, err = central.ClientTLS(caPEM, cert); err != nil {
				return nil, err
			}
		case errors.Is(err, os.ErrNotExist):
			if opts.TLS, err = central.ClientTLS(caPEM, nil); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
	c, err := central.New(baseURL, opts)
	if err != nil || enrolled {
		return c, err
	}
	csr, err := central.NewCSR(s.DeviceKey(), s.KioskID())
	if err != nil {
		return nil, err
	}
	var resp *central.EnrolResponse
	for attempt := 1; ; attempt++ {
		resp, err = c.Enrol(ctx, s.KioskID(), csr)
		if err == nil {
			break
		}
		if cerr := certificateError(err); cerr != nil {
			return nil, cerr // retrying cannot help: a technician must fix the CA or the certificates
		}
		if central.Permanent(err) || ctx.Err() != nil {
			// The central client's error is the sentence (refused, unreachable, the server's own).
			return nil, fmt.Errorf("enrol the kiosk with the central server: %w", err)
		}
		if err := (realClock{}).Sleep(ctx, Backoff(attempt, 200*time.Millisecond, 5*time.Second, central.RetryAfter(err))); err != nil {
			return nil, err
		}
	}
	c.Close()
	if caPEM == nil {
		// Plain HTTP (a loopback development server): keep the certificate it may issue, the one
		// the kiosk signs its copies with.
		if resp.Certificate != "" {
			if err := s.SaveClientCertificate([]byte(resp.Certificate)); err != nil {
				return nil, err
			}
		}
		return central.New(baseURL, opts)
	}
	if resp.Certificate == "" {
		return nil, fmt.Errorf("máy chủ không cấp chứng thư kiosk (server issued no client certificate)")
	}
	if err := s.SaveClientCertificate([]byte(resp.Certificate)); err != nil {
		return nil, err
	}
	cert, err := s.ClientCertificate()
	if err != nil {
		return nil, err
	}
	if opts.TLS, err = central.ClientTLS(caPEM, cert); err != nil {
		return nil, err
	}
	return central.New(baseURL, opts)
}
