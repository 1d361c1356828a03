package central

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tramso/tramso/internal/errtext"
)

// Defaults of Options.
const (
	DefaultChunkSize      = 1 << 20
	DefaultRequestTimeout = 30 * time.Second
	maxResponse           = 4 << 20
)

// Options configures a Client.
type Options struct {
	// KioskID is sent in the Kiosk-Id header; with mTLS the server takes the identity from the
	// client certificate instead.
	KioskID string
	// TLS is the client TLS configuration (pinned CA in RootCAs, client certificate). Nil means plain
	// HTTP, which New accepts only for a loopback address (local development).
	TLS *tls.Config
	// RequestTimeout bounds each HTTP exchange (a hung server is given up on); default 30 s.
	RequestTimeout time.Duration
	// ChunkSize is the size of one upload request; default 1 MiB.
	ChunkSize int64
	// EnrolToken is the one-time provisioning token a technician got from the province; it is sent
	// with the enrolment request (Authorization: Bearer) and nowhere else.
	EnrolToken string
	// DialContext replaces the dialer (tests use it to throttle or break the link).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Client talks to the central API. It is safe for concurrent use.
type Client struct {
	base *url.URL
	opts Options
	hc   *http.Client
	sent atomic.Int64
}

// New returns a client of the central API at baseURL.
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("địa chỉ máy chủ trung tâm không hợp lệ (invalid central server URL)")
	}
	if u.Scheme == "http" || opts.TLS == nil {
		if u.Scheme == "https" {
			return nil, fmt.Errorf("cần cấu hình TLS cho https (https needs a TLS configuration)")
		}
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("HTTP không mã hóa chỉ dùng cho máy chủ thử trên loopback (plain HTTP is for a loopback development server only)")
		}
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	dial := opts.DialContext
	if dial == nil {
		dial = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	tr := &http.Transport{
		DialContext:           dial,
		TLSClientConfig:       opts.TLS,
		ForceAttemptHTTP2:     false,
		MaxIdleConns:          4,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.RequestTimeout,
	}
	return &Client{base: u, opts: opts, hc: &http.Client{Transport: tr}}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BytesSent is the number of upload payload bytes handed to the network so far (the figure the
// resumable-upload benchmark compares with the file size).
func (c *Client) BytesSent() int64 { return c.sent.Load() }

// Close releases idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Error is a non-success answer of the central API.
type Error struct {
	StatusCode int
	Problem    Problem
	RetryAfter time.Duration // from the Retry-After header, 0 if absent
}

func (e *Error) Error() string {
	t := e.Problem.Title
	if t == "" {
		t = http.StatusText(e.StatusCode)
	}
	// The server knows the cause: a title that is a bilingual sentence is the chain's sentence,
	// and the status is English detail. Otherwise the status is the sentence and the title detail.
	if len(errtext.Sentences(t)) == 1 {
		return fmt.Sprintf("%s: central server answered %d", t, e.StatusCode)
	}
	return fmt.Sprintf("máy chủ trung tâm trả lời %d (central server answered %d): %s", e.StatusCode, e.StatusCode, errtext.English(t))
}

// Permanent reports whether retrying the same request cannot succeed: the server understood it
// and refused it (400, 413, 422). Network errors, 5xx, 408, 409 and 429 are worth retrying.
func Permanent(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// RetryAfter returns the delay the server asked for (Retry-After), or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// ProblemType returns the problem type of a central API error, or "".
func ProblemType(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Problem.Type
	}
	return ""
}

// countingReader counts bytes read from it into n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// do sends one request and decodes a JSON answer into out (if not nil). want lists the success codes.
func (c *Client) do(ctx context.Context, method, path string, hdr http.Header, body io.Reader, size int64, out any, want ...int) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return nil, fmt.Errorf("không tạo được yêu cầu (cannot build request): %w", err)
	}
	if body != nil {
		req.ContentLength = size
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if c.opts.KioskID != "" {
		req.Header.Set(HeaderKioskID, c.opts.KioskID)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("không kết nối được máy chủ trung tâm (central server unreachable): %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("trả lời của máy chủ bị ngắt (central server answer cut off): %w", err)
	}
	for _, w := range want {
		if resp.StatusCode == w {
			if out != nil && len(data) > 0 {
				if err := json.Unmarshal(data, out); err != nil {
					return nil, fmt.Errorf("trả lời của máy chủ không đọc được (central server answer unreadable): %w", err)
				}
			}
			return resp, nil
		}
	}
	e := &Error{StatusCode: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	_ = json.Unmarshal(data, &e.Problem)
	if e.Problem.Status == 0 {
		e.Problem.Status = resp.StatusCode
	}
	return resp, e
}

// parseRetryAfter reads delay-seconds or an HTTP date; it returns 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), 24*time.Hour)
	}
	return 0
}

func jsonBody(v any) (io.Reader, int64, http.Header) {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b), int64(len(b)), http.Header{"Content-Type": {"application/json"}}
}

// Enrol sends the kiosk's certificate signing request and returns what the server issued.
// Enrolment is the one call accepted without a client certificate.
func (c *Client) Enrol(ctx context.Context, kioskID string, csrPEM []byte) (*EnrolResponse, error) {
	body, n, h := jsonBody(EnrolRequest{KioskID: kioskID, CSR: string(csrPEM)})
	if c.opts.EnrolToken != "" {
		h.Set("Authorization", "Bearer "+c.opts.EnrolToken)
	}
	var out EnrolResponse
	if _, err := c.do(ctx, http.MethodPost, PathEnrolments, h, body, n, &out, http.StatusOK, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}

// Procedures fetches the procedure catalogue. With the ETag of the copy the kiosk holds, it returns
// notModified=true and no catalogue when nothing changed.
func (c *Client) Procedures(ctx context.Context, etag string) (cat *Catalogue, newETag string, notModified bool, err error) {
	h := http.Header{}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	var out Catalogue
	resp, err := c.do(ctx, http.MethodGet, PathProcedures, h, nil, 0, &out, http.StatusOK, http.StatusNotModified)
	if err != nil {
		return nil, "", false, err
	}
	if resp.StatusCode == http.StatusNotModified {
		return nil, etag, true, nil
	}
	return &out, resp.Header.Get("ETag"), false, nil
}

// Upload makes the server hold the file of the given SHA-256 and size, read from r. It opens (or
// finds again) the server's session for that hash and sends only what the server does not hold yet,
// in chunks, so an interrupted upload resumes from the server's offset — also after a restart.
// progress, if not nil, is told the server's offset after each chunk.
func (c *Client) Upload(ctx context.Context, sha string, size int64, r io.ReaderAt, progress func(offset int64)) error {
	body, n, h := jsonBody(UploadRequest{SHA256: sha, Size: size})
	var s UploadSession
	if _, err := c.do(ctx, http.MethodPost, PathUploads, h, body, n, &s, http.StatusOK, http.StatusCreated); err != nil {
		return err
	}
	off := s.Offset
	for !s.Complete {
		if err := ctx.Err(); err != nil {
			return err
		}
		if off < 0 || off > size {
			return fmt.Errorf("máy chủ báo vị trí tải lên sai (server reported an impossible upload offset)")
		}
		chunk := min(c.opts.ChunkSize, size-off)
		hdr := http.Header{
			"Content-Type":     {ContentTypeChunk},
			HeaderUploadOffset: {strconv.FormatInt(off, 10)},
		}
		sec := countingReader{io.NewSectionReader(r, off, chunk), &c.sent}
		resp, err := c.do(ctx, http.MethodPatch, PathUploads+"/"+url.PathEscape(s.ID), hdr, sec, chunk, nil, http.StatusNoContent, http.StatusOK)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Problem.Type == ProblemOffsetMismatch && e.Problem.Offset != nil {
				off = *e.Problem.Offset // the server holds a different amount: continue from there
				continue
			}
			return err
		}
		got, perr := strconv.ParseInt(resp.Header.Get(HeaderUploadOffset), 10, 64)
		if perr != nil {
			return fmt.Errorf("máy chủ không báo vị trí tải lên (server sent no upload offset)")
		}
		off = got
		s.Complete = resp.Header.Get(HeaderUploadComplete) == "?1"
		if progress != nil {
			progress(off)
		}
	}
	return nil
}

// Submit posts a signed manifest with its idempotency key. The server answers 201 the first time and
// the same result (200) for every retry with the same key and manifest; 409 means the attachments are
// not all uploaded yet or the same key is being processed, 422 that the dossier is refused.
func (c *Client) Submit(ctx context.Context, idempotencyKey string, manifest, signature []byte) (*DossierStatus, error) {
	var b bytes.Buffer
	b.WriteString(`{"manifest":`)
	b.Write(manifest)
	b.WriteString(`,"signature":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(signature))
	b.WriteString(`"}`)
	h := http.Header{
		"Content-Type":       {"application/json"},
		HeaderIdempotencyKey: {strconv.Quote(idempotencyKey)},
	}
	var out DossierStatus
	if _, err := c.do(ctx, http.MethodPost, PathDossiers, h, bytes.NewReader(b.Bytes()), int64(b.Len()), &out, http.StatusOK, http.StatusCreated); err != nil {
		return nil, err
	}
	return &out, nil
}

// Status fetches the central system's status of the dossier submitted with idempotencyKey.
func (c *Client) Status(ctx context.Context, idempotencyKey string) (*DossierStatus, error) {
	var out DossierStatus
	if _, err := c.do(ctx, http.MethodGet, PathDossiers+"/"+url.PathEscape(idempotencyKey), nil, nil, 0, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}

// Heartbeat reports the kiosk's queue length and returns the server's clock.
func (c *Client) Heartbeat(ctx context.Context, hb Heartbeat) (*HeartbeatResponse, error) {
	body, n, h := jsonBody(hb)
	var out HeartbeatResponse
	if _, err := c.do(ctx, http.MethodPost, PathHeartbeat, h, body, n, &out, http.StatusOK); err != nil {
		return nil, err
	}
	return &out, nil
}
