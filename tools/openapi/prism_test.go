package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// prismBin finds the Prism CLI that make deps installed, and fails instead of skipping under make
// test (TRAMSO_REQUIRE_PRISM=1). Prism is a Node.js program: node must be on PATH too.
func prismBin(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join("node_modules", ".bin", "prism"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat(bin)
	if err == nil {
		_, err = exec.LookPath("node")
	}
	if err != nil {
		if os.Getenv("TRAMSO_REQUIRE_PRISM") == "1" {
			t.Fatalf("Prism missing: run make deps (npm ci --prefix tools/openapi), with node on PATH: %v", err)
		}
		t.Skip("Prism missing: run make deps")
	}
	return bin
}

// violation is one entry of Prism's sl-violations header.
type violation struct {
	Location []string `json:"location"`
	Severity string   `json:"severity"`
	Code     any      `json:"code"`
	Message  string   `json:"message"`
}

func (v violation) String() string {
	return fmt.Sprintf("%s %s: %s", v.Severity, strings.Join(v.Location, "."), v.Message)
}

// exchange is one request that went through Prism, with what Prism said of it.
type exchange struct {
	Method, Path string
	Status       int
	ViaPrism     bool // the answer carries the headers Prism adds: it went through the validator
	Violations   []violation
}

// failing reports whether Prism found the exchange at odds with the document: any Error, and the
// Warning "route not found" (a request the document does not describe at all).
func (e exchange) failing() []violation {
	var out []violation
	for _, v := range e.Violations {
		if v.Severity == "Error" || strings.Contains(v.Message, "not found") {
			out = append(out, v)
		}
	}
	return out
}

// recorder is a reverse proxy in front of Prism that keeps, for every exchange, the violations
// Prism reported in its sl-violations header.
type recorder struct {
	rp *httputil.ReverseProxy
	mu sync.Mutex
	ex []exchange
	// wrong are the exchanges ("METHOD path-regexp status") whose requests are wrong on purpose
	// (a staff route without a token): Prism's findings about the request are expected there, about
	// the answer never.
	wrong []string
}

func newRecorder(t *testing.T, prism string) *recorder {
	t.Helper()
	u, err := url.Parse(prism)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	r.rp = &httputil.ReverseProxy{
		Rewrite:       func(pr *httputil.ProxyRequest) { pr.SetURL(u); pr.Out.Host = pr.In.Host },
		FlushInterval: -1,
		ModifyResponse: func(resp *http.Response) error {
			e := exchange{Method: resp.Request.Method, Path: resp.Request.URL.Path, Status: resp.StatusCode,
				ViaPrism: resp.Header.Get("Access-Control-Allow-Origin") != ""}
			if h := resp.Header.Get("sl-violations"); h != "" {
				if err := json.Unmarshal([]byte(h), &e.Violations); err != nil {
					e.Violations = []violation{{Severity: "Error", Message: "unreadable sl-violations header: " + h}}
				}
			}
			r.mu.Lock()
			r.ex = append(r.ex, e)
			r.mu.Unlock()
			return nil
		},
	}
	return r
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.rp.ServeHTTP(w, req) }

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.ex...)
}

// check fails the test for every exchange Prism found at odds with the document, logs the warnings,
// and requires that every exchange went through Prism and that each of the operations in want
// ("METHOD path-regexp status") was seen.
func (r *recorder) check(t *testing.T, want ...string) {
	t.Helper()
	ex := r.exchanges()
	if len(ex) == 0 {
		t.Fatal("no exchange went through Prism")
	}
	for _, e := range ex {
		if !e.ViaPrism {
			t.Errorf("%s %s → %d did not come through Prism", e.Method, e.Path, e.Status)
		}
		deliberate := slices.ContainsFunc(r.wrong, func(w string) bool { return matches(w, e) })
		for _, v := range e.failing() {
			if deliberate && len(v.Location) > 0 && v.Location[0] == "request" {
				t.Logf("%s %s → %d (wrong on purpose): %s", e.Method, e.Path, e.Status, v)
				continue
			}
			t.Errorf("%s %s → %d: %s", e.Method, e.Path, e.Status, v)
		}
		for _, v := range e.Violations {
			if v.Severity != "Error" && !strings.Contains(v.Message, "not found") {
				t.Logf("%s %s → %d: %s", e.Method, e.Path, e.Status, v)
			}
		}
	}
	for _, w := range append(want, r.wrong...) {
		if !slices.ContainsFunc(ex, func(e exchange) bool { return matches(w, e) }) {
			t.Errorf("no exchange %s went through Prism", w)
		}
	}
	// A request wrong on purpose that Prism did not notice means Prism is not checking requests.
	for _, w := range r.wrong {
		noticed := slices.ContainsFunc(ex, func(e exchange) bool {
			return matches(w, e) && slices.ContainsFunc(e.failing(), func(v violation) bool {
				return len(v.Location) > 0 && v.Location[0] == "request"
			})
		})
		if !noticed {
			t.Errorf("Prism said nothing of the request %s, wrong on purpose", w)
		}
	}
	t.Logf("%d exchanges validated by Prism", len(ex))
}

// matches reports whether the exchange is the one described by w: "METHOD path-regexp status".
func matches(w string, e exchange) bool {
	f := strings.Fields(w)
	code, _ := strconv.Atoi(f[2])
	return e.Method == f[0] && e.Status == code && regexp.MustCompile("^"+f[1]+"$").MatchString(e.Path)
}

// serveTCP serves h on a loopback port for the test and returns its base URL.
func serveTCP(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://" + ln.Addr().String()
}

// freePort returns a loopback port nobody listens on (for Prism, which takes a port number).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startPrism runs Prism in proxy mode (without --errors: it forwards everything and reports what
// it finds in the sl-violations header) with doc in front of upstream, and returns its base URL
// once it answers. It is stopped when the test ends.
func startPrism(t *testing.T, doc, upstream string) string {
	t.Helper()
	bin := prismBin(t)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "proxy", doc, upstream, "-h", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Prism takes seconds to stop on SIGTERM: its whole process group is killed.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("prism: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			t.Logf("Prism's log:\n%s", out.String())
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(45 * time.Second)
	for {
		if strings.Contains(out.String(), "Prism is listening") {
			if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
				c.Close()
				return "http://" + addr
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("Prism stopped before listening (%v):\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prism did not listen within 45 s:\n%s", out.String())
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the process's writes and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// withoutSecurity writes a copy of the document at src into dir without its security requirements
// on mutual TLS, which Prism does not support (the transport's TLS is invisible to it anyway): the
// root `security:` block and any operation's requirement naming mtls. It fails the test when the
// copy still names the requirement.
func withoutSecurity(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "security:") { // root: drop the block
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  -") {
				i++
			}
			continue
		}
		if trimmed := strings.TrimSpace(l); strings.HasPrefix(trimmed, "security:") && strings.Contains(trimmed, "mtls") {
			l = l[:strings.Index(l, "security:")] + "security: []"
		}
		out = append(out, l)
	}
	doc := strings.Join(out, "\n")
	if regexp.MustCompile(`(?m)^\s*-?\s*\{?\s*mtls:\s*\[\]`).MatchString(doc) {
		t.Fatalf("the copy of %s still requires mtls", src)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Prism reports a response that breaks the document, and a request that does: the validation
// tests cannot pass by Prism saying nothing.
func TestPrismCatchesWrongTraffic(t *testing.T) {
	t.Parallel()
	prismBin(t)
	// An upstream that answers the catalogue without its required procedures, and a heartbeat with
	// its server time.
	upstream := serveTCP(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v1/procedures":
			w.Write([]byte(`{"places":[]}`))
		case "/v1/heartbeat":
			w.Write([]byte(`{"serverTime":"2026-12-07T00:00:00Z"}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{}`))
		}
	}))
	doc := withoutSecurity(t, "../../kiosk/central/openapi.yaml", t.TempDir())
	rec := newRecorder(t, startPrism(t, doc, upstream))
	base := serveTCP(t, rec)

	get := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get(http.MethodGet, "/v1/procedures", "")
	get(http.MethodPost, "/v1/heartbeat", `{"queued":"many"}`)
	get(http.MethodGet, "/v1/no-such-route", "")
	get(http.MethodPost, "/v1/heartbeat", `{"kioskId":"K-1","queued":0,"sentAt":"2026-12-07T00:00:00Z"}`)

	ex := rec.exchanges()
	if len(ex) != 4 {
		t.Fatalf("%d exchanges recorded, want 4: %+v", len(ex), ex)
	}
	has := func(e exchange, where, text string) bool {
		for _, v := range e.failing() {
			if strings.Join(v.Location, ".") == where && strings.Contains(v.Message, text) {
				return true
			}
		}
		return false
	}
	if !has(ex[0], "response.body", "procedures") {
		t.Errorf("a catalogue without procedures passed: %+v", ex[0])
	}
	if !has(ex[1], "request.body", "kioskId") || !has(ex[1], "request.body.queued", "integer") {
		t.Errorf("a heartbeat without kioskId and with a text queue length passed: %+v", ex[1])
	}
	if !has(ex[2], "request", "not found") {
		t.Errorf("a route the document lacks passed: %+v", ex[2])
	}
	if f := ex[3].failing(); len(f) != 0 || !ex[3].ViaPrism {
		t.Errorf("a good heartbeat was refused: %+v", ex[3])
	}
}
