// Package speech speaks short Vietnamese guidance through espeak-ng.
//
// kiosk-ui uses it, when spoken guidance is switched on, to read out what each screen asks of the
// citizen. A [Speaker] never blocks its caller: [Speaker.Say] hands the text to a background
// goroutine that keeps only the newest request, and a new text interrupts the one being spoken.
// Each utterance is one espeak-ng child process; interrupting it kills that process.
//
// The text may contain a citizen's name, so it is never logged.
package speech

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/tramso/tramso/internal/atomicfile"
)

// Defaults for the zero values in [Options].
const (
	DefaultCommand = "espeak-ng"
	DefaultVoice   = "vi"
	DefaultRate    = 140 // words per minute: slower than espeak-ng's 175, for elderly listeners
	DefaultVolume  = 100
)

// Limits of espeak-ng's -s (words per minute) and -a (amplitude) options.
const (
	MinRate   = 80
	MaxRate   = 450
	MaxVolume = 200
)

// MaxTextBytes is the longest text, in bytes of UTF-8, handed to espeak-ng; longer text is cut at
// a character boundary. Guidance is a sentence or two, far below it.
const MaxTextBytes = 8 << 10

// checkTimeout bounds the trial run of espeak-ng in [New].
const checkTimeout = 10 * time.Second

// waitDelay bounds how long a killed child may keep its output pipes open.
const waitDelay = 2 * time.Second

var (
	// ErrNotInstalled reports that the speech program (espeak-ng) cannot be found or run.
	ErrNotInstalled = errors.New("chưa cài đặt espeak-ng (espeak-ng is not installed)")
	// ErrNoVoice reports that espeak-ng has no voice by the requested name.
	ErrNoVoice = errors.New("espeak-ng không có giọng đọc này (espeak-ng voice not available)")
	// ErrOptions reports an out-of-range value in [Options].
	ErrOptions = errors.New("cấu hình giọng nói không hợp lệ (invalid speech options)")
)

// Options configure a [Speaker]. The zero value speaks Vietnamese slowly at normal volume through
// the default sound output.
type Options struct {
	// Command is the espeak-ng program, a name looked up in PATH or a path. Default "espeak-ng".
	Command string
	// Voice is the espeak-ng voice (-v), for example "vi" or "vi-vn-x-south". Default "vi".
	Voice string
	// Rate is the speed in words per minute (-s), MinRate..MaxRate. 0 means DefaultRate.
	Rate int
	// Volume is espeak-ng's amplitude (-a), 1..MaxVolume. 0 means DefaultVolume; to stay silent,
	// do not create a Speaker.
	Volume int
	// Output, when set, is a folder into which each completed utterance is written as a WAV file
	// (001.wav, 002.wav, … in the order they complete) instead of being played. Interrupted
	// utterances leave no file. The folder is created if missing; existing files of the same
	// names are replaced.
	Output string
	// Logger receives the one warning logged when speaking fails. Default slog.Default().
	Logger *slog.Logger
}

// Speaker speaks guidance in the background. Create it with [New]; it is safe for use by several
// goroutines. Close it when done.
type Speaker struct {
	opt Options
	log *slog.Logger

	req    chan string // newest request only; "" means stop
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the loop has ended

	mu     sync.Mutex
	closed bool
	busy   bool          // a request is queued or an utterance is running
	idle   chan struct{} // closed whenever busy is false

	// Owned by the loop goroutine.
	written int  // WAV files completed so far
	warned  bool // a failure has been logged and nothing has succeeded since
}

// New checks that the speech program and its voice are present, by a silent trial run, and starts
// the Speaker's goroutine. The errors it returns match [ErrNotInstalled], [ErrNoVoice] or
// [ErrOptions] under errors.Is.
func New(opt Options) (*Speaker, error) {
	if opt.Command == "" {
		opt.Command = DefaultCommand
	}
	if opt.Voice == "" {
		opt.Voice = DefaultVoice
	}
	if opt.Rate == 0 {
		opt.Rate = DefaultRate
	}
	if opt.Volume == 0 {
		opt.Volume = DefaultVolume
	}
	if opt.Rate < MinRate || opt.Rate > MaxRate {
		return nil, fmt.Errorf("tốc độ đọc %d ngoài khoảng %d–%d từ/phút (rate out of range): %w",
			opt.Rate, MinRate, MaxRate, ErrOptions)
	}
	if opt.Volume < 1 || opt.Volume > MaxVolume {
		return nil, fmt.Errorf("âm lượng %d ngoài khoảng 1–%d (volume out of range): %w",
			opt.Volume, MaxVolume, ErrOptions)
	}
	if strings.ContainsFunc(opt.Voice, unicode.IsSpace) {
		return nil, fmt.Errorf("tên giọng đọc %q không hợp lệ (invalid voice name): %w", opt.Voice, ErrOptions)
	}
	path, err := exec.LookPath(opt.Command)
	if err != nil {
		return nil, fmt.Errorf("không tìm thấy chương trình đọc %q (speech program not found): %w: %w",
			opt.Command, ErrNotInstalled, err)
	}
	opt.Command = path
	if opt.Output != "" {
		if err := os.MkdirAll(opt.Output, 0o755); err != nil {
			return nil, fmt.Errorf("không tạo được thư mục ghi âm thanh (cannot create output folder): %w", err)
		}
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if err := checkVoice(opt); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithCancel(context.Background())
	s := &Speaker{
		opt:    opt,
		log:    opt.Logger,
		req:    make(chan string, 1),
		ctx:    ctx,
		cancel: cancel,
		done:   make(chan struct{}),
		idle:   make(chan struct{}),
	}
	close(s.idle)
	go s.loop()
	return s, nil
}

// checkVoice runs espeak-ng once without sound (-q) to learn whether it starts and has the voice.
func checkVoice(opt Options) error {
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, opt.Command, "-v", opt.Voice, "-q", "-b", "1", "--", "a")
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4 << 10}
	cmd.WaitDelay = waitDelay
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("espeak-ng không trả lời (espeak-ng did not respond): %w: %w", ErrNotInstalled, ctx.Err())
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && strings.Contains(strings.ToLower(stderr.String()), "voice does not exist") {
		return fmt.Errorf("espeak-ng thiếu giọng đọc %q, cần gói espeak-ng-data (voice %q missing): %w",
			opt.Voice, opt.Voice, ErrNoVoice)
	}
	return fmt.Errorf("không chạy được espeak-ng (espeak-ng failed to run): %w: %w", ErrNotInstalled, err)
}

// Say starts speaking text in the background and returns at once. It interrupts whatever is being
// spoken, unless that is the same text, which then carries on. Empty or blank text only stops.
// After Close, Say does nothing.
func (s *Speaker) Say(text string) {
	s.submit(prepare(text))
}

// Stop ends the utterance in progress, if any, and drops any waiting one. It returns at once.
func (s *Speaker) Stop() {
	s.submit("")
}

// Wait blocks until the Speaker is silent: nothing waiting and nothing being spoken. It returns
// ctx's error if ctx ends first, and nil at once after Close. Useful to let a test phrase finish
// before a program exits.
func (s *Speaker) Wait(ctx context.Context) error {
	s.mu.Lock()
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops speaking and ends the Speaker's goroutine, waiting for the child process to be
// reaped. Closing again does nothing. It always returns nil.
func (s *Speaker) Close() error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if !already {
		s.cancel()
	}
	<-s.done
	s.mu.Lock()
	if s.busy {
		s.busy = false
		close(s.idle)
	}
	s.mu.Unlock()
	return nil
}

// submit replaces any waiting request with text. It never blocks: with mu held no other sender can
// fill the channel, and the loop only ever empties it.
func (s *Speaker) submit(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case <-s.req:
	default:
	}
	s.req <- text
	if !s.busy {
		s.busy = true
		s.idle = make(chan struct{})
	}
}

// markIdle records that nothing is being spoken, unless a request is already waiting.
func (s *Speaker) markIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy && len(s.req) == 0 {
		s.busy = false
		close(s.idle)
	}
}

// utterance is one running espeak-ng child.
type utterance struct {
	text   string
	cancel context.CancelFunc
	done   chan result
}

// result is how an utterance ended.
type result struct {
	err        error // from starting or waiting for the child, or renaming its file
	notStarted bool  // the child could not be started
	stderr     string
	part       string // temporary WAV path, when writing files
}

func (s *Speaker) loop() {
	defer close(s.done)
	var cur *utterance
	for {
		var finished <-chan result
		if cur != nil {
			finished = cur.done
		}
		select {
		case <-s.ctx.Done():
			if cur != nil {
				cur.cancel()
				s.discard(<-cur.done)
			}
			return
		case text := <-s.req:
			if cur != nil && text != "" && text == cur.text {
				continue
			}
			if cur != nil {
				cur.cancel()
				s.discard(<-cur.done)
				cur = nil
			}
			if text != "" {
				cur = s.start(text)
			}
		case r := <-finished:
			cur.cancel()
			cur = nil
			s.finish(r)
		}
		if cur == nil {
			s.markIdle()
		}
	}
}

// args builds espeak-ng's arguments for text; wav, when not empty, is the file to write instead of
// playing. The text comes last, after "--", so text starting with "-" is never read as an option.
func (s *Speaker) args(text, wav string) []string {
	a := []string{
		"-v", s.opt.Voice,
		"-s", strconv.Itoa(s.opt.Rate),
		"-a", strconv.Itoa(s.opt.Volume),
		"-b", "1", // input is UTF-8
	}
	if wav != "" {
		a = append(a, "-w", wav)
	}
	return append(a, "--", text)
}

// start runs one espeak-ng child for text.
func (s *Speaker) start(text string) *utterance {
	ctx, cancel := context.WithCancel(s.ctx)
	u := &utterance{text: text, cancel: cancel, done: make(chan result, 1)}
	var part string
	if s.opt.Output != "" {
		part = filepath.Join(s.opt.Output, fmt.Sprintf(".%03d.wav.part", s.written+1))
	}
	cmd := exec.CommandContext(ctx, s.opt.Command, s.args(text, part)...)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 4 << 10}
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		u.done <- result{err: err, notStarted: true, part: part}
		return u
	}
	go func() {
		err := cmd.Wait()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		u.done <- result{err: err, stderr: stderr.String(), part: part}
	}()
	return u
}

// discard cleans up after an interrupted utterance.
func (s *Speaker) discard(r result) {
	if r.part != "" {
		os.Remove(r.part)
	}
}

// finish handles an utterance that ran to its end.
func (s *Speaker) finish(r result) {
	if r.err == nil && r.part != "" {
		name := filepath.Join(s.opt.Output, fmt.Sprintf("%03d.wav", s.written+1))
		if err := atomicfile.Rename(r.part, name); err != nil {
			r.err = err
		} else {
			s.written++
		}
	}
	if r.part != "" && r.err != nil {
		os.Remove(r.part)
	}
	// When playing, espeak-ng exits 0 even when it found no sound device; it says so on stderr.
	if r.err == nil && (r.part != "" || strings.TrimSpace(r.stderr) == "") {
		s.warned = false
		return
	}
	if s.warned {
		return
	}
	s.warned = true
	// Neither the text nor espeak-ng's own messages are logged: both could echo the citizen's words.
	attrs := []any{slog.String("reason", reason(r)), slog.Int("stderr_bytes", len(r.stderr))}
	if r.err != nil {
		attrs = append(attrs, slog.String("err", r.err.Error()))
	}
	s.log.Warn("không phát được hướng dẫn bằng giọng nói, tiếp tục không có âm thanh "+
		"(spoken guidance failed; carrying on silently)", attrs...)
}

// reason classifies a failed utterance for the log.
func reason(r result) string {
	e := strings.ToLower(r.stderr)
	switch {
	case strings.Contains(e, "voice does not exist"):
		return "voice_missing"
	case strings.Contains(e, "alsa") || strings.Contains(e, "pcm") || strings.Contains(e, "audio") ||
		strings.Contains(e, "pulse"):
		return "no_sound_device"
	case r.notStarted:
		return "start_failed"
	case r.part != "" && r.err != nil:
		return "write_failed"
	case r.err != nil:
		return "exit_status"
	default:
		return "stderr_output"
	}
}

// prepare turns caller text into what espeak-ng is given: control characters and invalid UTF-8
// as spaces, NFC, trimmed, and at most MaxTextBytes long.
func prepare(text string) string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, text)
	text = strings.TrimSpace(norm.NFC.String(text))
	if len(text) > MaxTextBytes {
		cut := MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = strings.TrimSpace(text[:cut])
	}
	return text
}

// limitedBuffer keeps the first max bytes written to it and discards the rest, so a chatty child
// cannot grow memory.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
