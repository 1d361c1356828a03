package daemon

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/drivers/apdu"
	"github.com/tramso/tramso/drivers/mrtd"
	"github.com/tramso/tramso/drivers/scanner"
	"github.com/tramso/tramso/kiosk/catalog"
	"github.com/tramso/tramso/kiosk/central"
	"github.com/tramso/tramso/kiosk/identity"
	"github.com/tramso/tramso/kiosk/metrics"
	"github.com/tramso/tramso/kiosk/outbox"
	"github.com/tramso/tramso/kiosk/session"
)

// meteredCentral is the central client with its requests timed and its failures counted by cause.
// The heartbeat also carries the kiosk's facts.
type meteredCentral struct {
	*central.Client
	km *kioskMetrics
}

// centralFor wraps the uploader's central client.
func (d *Daemon) centralFor(c *central.Client) outbox.Central {
	if d.metrics == nil {
		return c
	}
	return meteredCentral{c, d.metrics}
}

func (c meteredCentral) observe(op metrics.Operation, start time.Time, err error) {
	switch {
	case err == nil:
		c.km.m.CentralRoundTrip(op, time.Since(start))
	case errors.Is(err, context.Canceled):
	default:
		var ce *central.Error
		if errors.As(err, &ce) {
			c.km.m.CentralRoundTrip(op, time.Since(start)) // answered, if not as hoped
		}
		c.km.m.UploadError(uploadCause(err))
	}
}

func (c meteredCentral) Upload(ctx context.Context, sha string, size int64, r io.ReaderAt, progress func(int64)) error {
	start := time.Now()
	err := c.Client.Upload(ctx, sha, size, r, progress)
	c.observe(metrics.OpUpload, start, err)
	return err
}

func (c meteredCentral) Submit(ctx context.Context, key string, manifest, signature []byte) (*central.DossierStatus, error) {
	start := time.Now()
	st, err := c.Client.Submit(ctx, key, manifest, signature)
	c.observe(metrics.OpSubmit, start, err)
	return st, err
}

func (c meteredCentral) Status(ctx context.Context, key string) (*central.DossierStatus, error) {
	start := time.Now()
	st, err := c.Client.Status(ctx, key)
	c.observe(metrics.OpStatus, start, err)
	return st, err
}

func (c meteredCentral) Heartbeat(ctx context.Context, hb central.Heartbeat) (*central.HeartbeatResponse, error) {
	if hb.Facts == nil {
		hb.Facts = c.km.heartbeatFacts()
	}
	start := time.Now()
	r, err := c.Client.Heartbeat(ctx, hb)
	c.observe(metrics.OpHeartbeat, start, err)
	return r, err
}

// uploadCause sorts a failed central request into the metrics' fixed causes.
func uploadCause(err error) metrics.UploadCause {
	var (
		ce      *central.Error
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		alert   tls.AlertError
		record  tls.RecordHeaderError
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		netErr  net.Error
		opErr   *net.OpError
	)
	switch {
	case errors.As(err, &ce):
		switch {
		case ce.StatusCode == 429:
			return metrics.CauseRateLimited
		case ce.StatusCode >= 500:
			return metrics.CauseServer
		case central.Permanent(err):
			return metrics.CauseRefused
		}
		return metrics.CauseConflict
	case errors.Is(err, outbox.ErrCertificateRefused), errors.As(err, &verify), errors.As(err, &unknown),
		errors.As(err, &host), errors.As(err, &invalid), errors.As(err, &alert), errors.As(err, &record):
		return metrics.CauseTLS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return metrics.CauseTimeout
	case errors.As(err, &syntax), errors.As(err, &typ), errors.Is(err, io.ErrUnexpectedEOF):
		return metrics.CauseUnreadable
	case errors.As(err, &opErr), errors.As(err, &netErr):
		return metrics.CauseNetwork
	}
	return metrics.Other
}

// meteredCard counts card reads by outcome. A wait that ends before any card came (the citizen
// went back, the session ended) is no read and is not counted.
type meteredCard struct {
	r session.CardReader
	m *metrics.Metrics
}

func (c meteredCard) ReadCard(ctx context.Context, key identity.Key, p identity.Progress) (*identity.Result, error) {
	var present atomic.Bool
	inner := p.Present
	p.Present = func() {
		present.Store(true)
		if inner != nil {
			inner()
		}
	}
	res, err := c.r.ReadCard(ctx, key, p)
	if o, ok := cardOutcome(res, err, present.Load()); ok {
		c.m.CardRead(o)
		if o == metrics.CardReaderError {
			c.m.SetDevicePresent(metrics.DeviceCardReader, false)
		} else {
			c.m.SetDevicePresent(metrics.DeviceCardReader, true)
		}
	}
	return res, err
}

// cardOutcome sorts a card read; ok is false for a wait that ended with no read.
func cardOutcome(res *identity.Result, err error, present bool) (metrics.CardOutcome, bool) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", false
	}
	switch {
	case err == nil && res != nil:
		switch {
		case res.PassiveAuth == "invalid" || res.ChipAuth == "failed":
			return metrics.CardNotGenuine, true
		case res.PassiveAuth == "unverified":
			return metrics.CardUnverified, true
		}
		return metrics.CardOK, true
	case err == nil:
		return "", false
	case errors.Is(err, apdu.ErrReaderGone), !present && !errors.Is(err, apdu.ErrNoCard):
		return metrics.CardReaderError, true
	case errors.Is(err, apdu.ErrCardRemoved), errors.Is(err, apdu.ErrNoCard):
		return metrics.CardRemoved, true
	case errors.Is(err, mrtd.ErrAuthentication), errors.Is(err, mrtd.ErrInvalidKey):
		return metrics.CardPACEFailed, true
	case errors.Is(err, apdu.ErrTimeout):
		return metrics.CardTimeout, true
	}
	return metrics.CardUnreadable, true
}

// meteredScanner counts document scanner faults.
type meteredScanner struct {
	s session.Scanner
	m *metrics.Metrics
}

func (s meteredScanner) Scan(ctx context.Context, page func(session.Page) error) error {
	err := s.s.Scan(ctx, page)
	if f, ok := scannerFault(err); ok {
		s.m.ScannerFault(f)
	}
	return err
}

// scannerFault sorts a scan's error; ok is false when the scanner is not at fault (no error, the
// session ended, or the page handler refused).
func scannerFault(err error) (metrics.ScannerFault, bool) {
	for _, f := range []struct {
		err   error
		fault metrics.ScannerFault
	}{
		{scanner.ErrJammed, metrics.ScanJammed}, {scanner.ErrADFEmpty, metrics.ScanADFEmpty},
		{scanner.ErrCoverOpen, metrics.ScanCoverOpen}, {scanner.ErrNoDevice, metrics.ScanNoDevice},
		{scanner.ErrBusy, metrics.ScanBusy}, {scanner.ErrIO, metrics.ScanIO}, {scanner.ErrNoMemory, metrics.ScanNoMemory},
		{scanner.ErrAccessDenied, metrics.ScanAccessDenied}, {scanner.ErrInvalid, metrics.ScanInvalid},
	} {
		if errors.Is(err, f.err) {
			return f.fault, true
		}
	}
	return "", false
}

// meteredDigitizer times the OCR of each document, per page.
type meteredDigitizer struct {
	session.Digitizer
	m *metrics.Metrics
}

func (d meteredDigitizer) Digitize(ctx context.Context, title string, pages []*session.Prepared, fields []catalog.Field, done func(int)) (*session.Digitized, error) {
	start := time.Now()
	res, err := d.Digitizer.Digitize(ctx, title, pages, fields, done)
	if err == nil && res != nil && res.Pages > 0 {
		per := time.Since(start) / time.Duration(res.Pages)
		for range res.Pages {
			d.m.OCRPage(per)
		}
	}
	return res, err
}

// meteredOutbox counts dossiers committed to the outbox.
type meteredOutbox struct {
	o  session.Outbox
	km *kioskMetrics
}

func (o meteredOutbox) Submit(ctx context.Context, d *session.Dossier, wait time.Duration) (*session.Submitted, error) {
	s, err := o.o.Submit(ctx, d, wait)
	if err == nil {
		o.km.submits.Add(1)
		o.km.m.DossierSubmitted()
		select {
		case o.km.kick <- struct{}{}:
		default:
		}
	}
	return s, err
}
