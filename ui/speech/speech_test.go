package speech

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tramso/tramso/internal/testtool"
	"golang.org/x/text/unicode/norm"
)

const greeting = "Xin chào, mời bạn đặt thẻ Căn cước lên đầu đọc"

// longText takes espeak-ng a good while to synthesise, so a second Say lands while it runs.
var longText = strings.Repeat("Hồ sơ của bạn đã được tiếp nhận. Vui lòng chờ trong giây lát, "+
	"hệ thống đang xử lý và sẽ in giấy hẹn trả kết quả. ", 20)

// The test binary doubles as a fake espeak-ng when fakeEnv names a log file: see runFake.
const (
	fakeEnv        = "TRAMSO_SPEECH_FAKE"
	fakeNoAudioEnv = "TRAMSO_SPEECH_FAKE_NOAUDIO"
)

func TestMain(m *testing.M) {
	if log := os.Getenv(fakeEnv); log != "" {
		os.Exit(runFake(log, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// runFake behaves like espeak-ng as far as the Speaker can tell. It appends
// "pid<TAB>voice<TAB>text" to log for every run that would speak, refuses the voice "zz", sleeps
// 1 s for text starting with "SLOW" and 30 s for "HANG", complains about ALSA on stderr (exiting
// 0, like espeak-ng) when fakeNoAudioEnv is set, and writes a stand-in file for -w.
func runFake(log string, args []string) int {
	var voice, wav, text string
	quiet := false
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "-v", "-s", "-a", "-b", "-w":
			if i+1 >= len(args) {
				return 2
			}
			i++
			switch a {
			case "-v":
				voice = args[i]
			case "-w":
				wav = args[i]
			}
		case "-q":
			quiet = true
		case "--":
			if i+1 < len(args) {
				text = args[i+1]
			}
			i = len(args)
		default:
			fmt.Fprintf(os.Stderr, "unknown option %q\n", a)
			return 2
		}
	}
	if voice == "zz" {
		fmt.Fprintln(os.Stderr, "Error: The specified espeak-ng voice does not exist.")
		return 1
	}
	if quiet {
		return 0
	}
	f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 3
	}
	fmt.Fprintf(f, "%d\t%s\t%s\n", os.Getpid(), voice, text)
	f.Close()
	switch {
	case strings.HasPrefix(text, "SLOW"):
		time.Sleep(time.Second)
	case strings.HasPrefix(text, "HANG"):
		time.Sleep(30 * time.Second)
	}
	if os.Getenv(fakeNoAudioEnv) != "" {
		fmt.Fprintln(os.Stderr, "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default")
		fmt.Fprintln(os.Stderr, "error: No such file or directory")
		return 0
	}
	if wav != "" {
		if err := os.WriteFile(wav, []byte("fake:"+text), 0o644); err != nil {
			return 4
		}
	}
	return 0
}

// setFakeEnv makes children of the test binary act as the fake, logging to log.
func setFakeEnv(t *testing.T, log string) {
	t.Helper()
	t.Setenv(fakeEnv, log)
	// Under -race a child would otherwise linger a second at exit.
	t.Setenv("GORACE", "atexit_sleep_ms=0")
}

// fakeRun is one recorded run of the fake.
type fakeRun struct {
	pid         int
	voice, text string
}

// newFake returns a Speaker driving the fake espeak-ng and a function reading its runs so far.
func newFake(t *testing.T, opt Options) (*Speaker, func() []fakeRun) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "runs")
	setFakeEnv(t, log)
	opt.Command = exe
	s, err := New(opt)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	runs := func() []fakeRun {
		b, err := os.ReadFile(log)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		var out []fakeRun
		for line := range strings.Lines(string(b)) {
			f := strings.SplitN(strings.TrimSuffix(line, "\n"), "\t", 3)
			if len(f) != 3 {
				t.Fatalf("bad fake log line %q", line)
			}
			pid, _ := strconv.Atoi(f[0])
			out = append(out, fakeRun{pid: pid, voice: f[1], text: f[2]})
		}
		return out
	}
	return s, runs
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitSilent waits for s to finish speaking, failing after 10 s.
func waitSilent(t *testing.T, s *Speaker) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

// realEspeak returns the path of espeak-ng, skipping the test when it (or its Vietnamese voice) is
// missing unless TRAMSO_REQUIRE_SPEECH=1.
func realEspeak(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("espeak-ng")
	if err == nil {
		err = checkVoice(Options{Command: path, Voice: DefaultVoice})
	}
	if err != nil {
		testtool.Missing(t, "espeak-ng with the vi voice (Debian espeak-ng)", "TRAMSO_REQUIRE_SPEECH", err)
	}
	return path
}

// wavInfo is what the tests need from a WAV header.
type wavInfo struct {
	format, channels, bits uint16
	rate                   uint32
	dataBytes              uint32
}

func (w wavInfo) duration() time.Duration {
	perSecond := uint64(w.rate) * uint64(w.channels) * uint64(w.bits/8)
	if perSecond == 0 {
		return 0
	}
	return time.Duration(uint64(w.dataBytes) * uint64(time.Second) / perSecond)
}

// parseWAV reads a RIFF/WAVE header: the fmt chunk and the size of the data chunk.
func parseWAV(b []byte) (wavInfo, error) {
	var w wavInfo
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return w, errors.New("not a RIFF/WAVE file")
	}
	haveFmt := false
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := binary.LittleEndian.Uint32(b[p+4 : p+8])
		body := b[p+8:]
		switch id {
		case "fmt ":
			if size < 16 || len(body) < 16 {
				return w, errors.New("short fmt chunk")
			}
			w.format = binary.LittleEndian.Uint16(body[0:2])
			w.channels = binary.LittleEndian.Uint16(body[2:4])
			w.rate = binary.LittleEndian.Uint32(body[4:8])
			w.bits = binary.LittleEndian.Uint16(body[14:16])
			haveFmt = true
		case "data":
			if !haveFmt {
				return w, errors.New("data chunk before fmt chunk")
			}
			if uint64(size) > uint64(len(body)) {
				return w, fmt.Errorf("data chunk claims %d bytes, file has %d", size, len(body))
			}
			w.dataBytes = size
			return w, nil
		}
		if uint64(size) > uint64(len(body)) {
			return w, errors.New("chunk runs past the end")
		}
		p += 8 + int(size) + int(size&1)
	}
	return w, errors.New("no data chunk")
}

// wavFiles lists the completed WAV files in dir, in name order, and fails on leftovers.
func wavFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".wav") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("unexpected file %s left in the output folder", e.Name())
			continue
		}
		names = append(names, e.Name())
	}
	return names
}

func TestSayWritesWAV(t *testing.T) {
	cmd := realEspeak(t)
	dir := t.TempDir()
	s, err := New(Options{Command: cmd, Output: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Say(greeting)
	waitSilent(t, s)

	if got := wavFiles(t, dir); !slices.Equal(got, []string{"001.wav"}) {
		t.Fatalf("files = %v, want [001.wav]", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "001.wav"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := parseWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	if w.format != 1 || w.bits != 16 || w.channels == 0 || w.rate < 8000 {
		t.Errorf("header %+v, want 16-bit PCM", w)
	}
	if d := w.duration(); d <= time.Second {
		t.Errorf("duration %v, want more than 1 s for a whole sentence", d)
	}

	// The next utterance gets the next number, and a short text is shorter than a long one.
	s.Say("Xin chào")
	waitSilent(t, s)
	b2, err := os.ReadFile(filepath.Join(dir, "002.wav"))
	if err != nil {
		t.Fatal(err)
	}
	w2, err := parseWAV(b2)
	if err != nil {
		t.Fatal(err)
	}
	if w2.duration() >= w.duration() {
		t.Errorf("\"Xin chào\" lasts %v, the whole sentence %v: the text did not reach espeak-ng intact",
			w2.duration(), w.duration())
	}
}

func TestSecondSayReplacesFirst(t *testing.T) {
	cmd := realEspeak(t)
	dir := t.TempDir()
	s, err := New(Options{Command: cmd, Output: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Say(longText)
	s.Say(greeting)
	waitSilent(t, s)

	files := wavFiles(t, dir)
	if len(files) == 0 || len(files) > 2 {
		t.Fatalf("files = %v, want 1 or 2", files)
	}
	got, err := os.ReadFile(filepath.Join(dir, files[len(files)-1]))
	if err != nil {
		t.Fatal(err)
	}
	// espeak-ng is deterministic: the last file must equal the greeting synthesised directly.
	ref := filepath.Join(t.TempDir(), "ref.wav")
	if out, err := exec.Command(cmd, s.args(greeting, ref)...).CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v: %s", err, out)
	}
	want, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("last file %s (%d bytes) is not the greeting (%d bytes)", files[len(files)-1], len(got), len(want))
	}
}

// TestDiacriticsReachEspeak runs espeak-ng's phoneme output (-x) over the arguments the Speaker
// builds: decomposed (NFD) input must sound like the composed text, and unlike the text with its
// diacritics stripped.
func TestDiacriticsReachEspeak(t *testing.T) {
	cmd := realEspeak(t)
	s := &Speaker{opt: Options{Command: cmd, Voice: DefaultVoice, Rate: DefaultRate, Volume: DefaultVolume}}
	phonemes := func(text string) string {
		t.Helper()
		a := s.args(text, "")
		a = append(a[:len(a)-2:len(a)-2], "-q", "-x", "--", a[len(a)-1])
		out, err := exec.Command(cmd, a...).Output()
		if err != nil {
			t.Fatalf("espeak-ng -x: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	nfc := norm.NFC.String(greeting)
	nfd := norm.NFD.String(greeting)
	if nfc == nfd {
		t.Fatal("test text has no decomposable characters")
	}
	want := phonemes(nfc)
	if got := phonemes(prepare(nfd)); got != want {
		t.Errorf("NFD input, prepared, gives phonemes\n%s\nwant\n%s", got, want)
	}
	bare := "Xin chao, moi ban dat the Can cuoc len dau doc"
	if phonemes(bare) == want {
		t.Errorf("text without diacritics sounds the same as with them: %s", want)
	}
}

func TestNewMissingCommand(t *testing.T) {
	for _, c := range []string{filepath.Join(t.TempDir(), "espeak-ng"), "tramso-no-such-espeak-ng"} {
		_, err := New(Options{Command: c})
		if !errors.Is(err, ErrNotInstalled) {
			t.Errorf("New(%q) = %v, want ErrNotInstalled", c, err)
		}
		if err != nil && !strings.Contains(err.Error(), "(speech program not found)") {
			t.Errorf("error %q lacks its English gloss", err)
		}
	}
}

func TestNewMissingVoice(t *testing.T) {
	cmd := realEspeak(t)
	_, err := New(Options{Command: cmd, Voice: "zz-no-such-voice"})
	if !errors.Is(err, ErrNoVoice) {
		t.Fatalf("New with a missing voice = %v, want ErrNoVoice", err)
	}
}

func TestNewOptionRanges(t *testing.T) {
	for _, opt := range []Options{
		{Rate: 10}, {Rate: 1000}, {Volume: -1}, {Volume: 201}, {Voice: "vi -w x"},
	} {
		opt.Command = "tramso-no-such-espeak-ng" // ranges are checked before the program
		if _, err := New(opt); !errors.Is(err, ErrOptions) {
			t.Errorf("New(%+v) = %v, want ErrOptions", opt, err)
		}
	}
}

func TestCloseIdempotentAndSayAfterCloseIsNoOp(t *testing.T) {
	cmd := realEspeak(t)
	dir := t.TempDir()
	s, err := New(Options{Command: cmd, Output: dir})
	if err != nil {
		t.Fatal(err)
	}
	s.Say(longText)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	before := wavFiles(t, dir)
	s.Say(greeting)
	s.Stop()
	waitSilent(t, s) // returns at once after Close
	time.Sleep(200 * time.Millisecond)
	if after := wavFiles(t, dir); !slices.Equal(before, after) {
		t.Errorf("Say after Close wrote files: before %v, after %v", before, after)
	}
}

func TestVoiceCheckWithFake(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	setFakeEnv(t, filepath.Join(t.TempDir(), "runs"))
	if _, err := New(Options{Command: exe, Voice: "zz"}); !errors.Is(err, ErrNoVoice) {
		t.Errorf("New with voice zz = %v, want ErrNoVoice", err)
	}
}

func TestIdenticalTextNotRestarted(t *testing.T) {
	s, runs := newFake(t, Options{})
	s.Say("SLOW mời bạn chọn thủ tục")
	waitFor(t, "the first run", func() bool { return len(runs()) == 1 })
	s.Say("SLOW mời bạn chọn thủ tục")
	s.Say(norm.NFD.String("SLOW mời bạn chọn thủ tục")) // the same text once normalised
	waitSilent(t, s)
	if got := runs(); len(got) != 1 {
		t.Errorf("runs = %+v, want the one utterance carried on", got)
	}
	// Once finished, the same text is spoken again (a "repeat" button).
	s.Say("mời bạn chọn thủ tục")
	s.Say("mời bạn chọn thủ tục")
	waitSilent(t, s)
	if got := runs(); len(got) != 2 {
		t.Errorf("runs = %+v, want 2", got)
	}
}

func TestNewSayKillsRunningChild(t *testing.T) {
	s, runs := newFake(t, Options{})
	s.Say("HANG một câu rất dài")
	waitFor(t, "the first run", func() bool { return len(runs()) == 1 })
	s.Say("câu mới")
	waitSilent(t, s) // would take 30 s if the first child were left running

	got := runs()
	if len(got) != 2 || got[1].text != "câu mới" {
		t.Fatalf("runs = %+v, want the hanging one then the new one", got)
	}
	if err := syscall.Kill(got[0].pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("interrupted child %d still exists (kill 0: %v)", got[0].pid, err)
	}
}

func TestStopAndEmptyText(t *testing.T) {
	s, runs := newFake(t, Options{})
	for _, stop := range []func(){s.Stop, func() { s.Say("  \n ") }} {
		n := len(runs())
		s.Say("HANG hướng dẫn")
		waitFor(t, "the run", func() bool { return len(runs()) == n+1 })
		stop()
		waitSilent(t, s)
		if got := runs(); len(got) != n+1 {
			t.Errorf("runs = %+v, want no new run after stopping", got)
		}
		pid := runs()[n].pid
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("stopped child %d still exists (kill 0: %v)", pid, err)
		}
	}
}

func TestCloseKillsRunningChild(t *testing.T) {
	s, runs := newFake(t, Options{})
	s.Say("HANG hướng dẫn")
	waitFor(t, "the run", func() bool { return len(runs()) == 1 })
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if err := syscall.Kill(runs()[0].pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("child still exists after Close (kill 0: %v)", err)
	}
}

func TestTextStartingWithDashIsText(t *testing.T) {
	s, runs := newFake(t, Options{})
	s.Say("-v zz -w /tmp/x")
	waitSilent(t, s)
	got := runs()
	if len(got) != 1 || got[0].text != "-v zz -w /tmp/x" || got[0].voice != "vi" {
		t.Errorf("runs = %+v, want the dashes spoken as text with voice vi", got)
	}
}

func TestPlaybackFailureLoggedOnceWithoutText(t *testing.T) {
	var logs bytes.Buffer
	t.Setenv(fakeNoAudioEnv, "1")
	s, runs := newFake(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	secret := "Ông Nguyễn Văn An, số 001234567890"
	for i := range 3 {
		s.Say(fmt.Sprintf("%s lần %d", secret, i))
		waitSilent(t, s)
	}
	if n := len(runs()); n != 3 {
		t.Fatalf("%d runs, want 3: speaking must carry on after a failure", n)
	}
	out := logs.String()
	if n := strings.Count(out, "spoken guidance failed"); n != 1 {
		t.Errorf("logged %d warnings, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, "reason=no_sound_device") {
		t.Errorf("warning lacks reason=no_sound_device:\n%s", out)
	}
	for _, word := range []string{"Nguyễn", "Nguy", "001234567890", "lần", "ALSA"} {
		if strings.Contains(out, word) {
			t.Errorf("log contains %q:\n%s", word, out)
		}
	}
}

func TestFakeOutputNumbering(t *testing.T) {
	dir := t.TempDir()
	s, _ := newFake(t, Options{Output: dir})
	s.Say("một")
	waitSilent(t, s)
	s.Say("HANG bị ngắt")
	s.Say("hai")
	waitSilent(t, s)
	if got := wavFiles(t, dir); !slices.Equal(got, []string{"001.wav", "002.wav"}) {
		t.Fatalf("files = %v, want 001.wav 002.wav", got)
	}
	for name, want := range map[string]string{"001.wav": "fake:một", "002.wav": "fake:hai"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", name, b, err, want)
		}
	}
}

func TestArgs(t *testing.T) {
	s := &Speaker{opt: Options{Command: "espeak-ng", Voice: "vi-vn-x-south", Rate: 130, Volume: 150}}
	got := s.args("-đầu đọc", "")
	want := []string{"-v", "vi-vn-x-south", "-s", "130", "-a", "150", "-b", "1", "--", "-đầu đọc"}
	if !slices.Equal(got, want) {
		t.Errorf("args = %q, want %q", got, want)
	}
	got = s.args("xin chào", "/out/.001.wav.part")
	want = []string{"-v", "vi-vn-x-south", "-s", "130", "-a", "150", "-b", "1", "-w", "/out/.001.wav.part", "--", "xin chào"}
	if !slices.Equal(got, want) {
		t.Errorf("args = %q, want %q", got, want)
	}
}

func TestPrepare(t *testing.T) {
	long := strings.Repeat("ệ", MaxTextBytes) // 3 bytes each in UTF-8
	for _, tc := range []struct{ in, want string }{
		{norm.NFD.String("Căn cước"), "Căn cước"},
		{"  xin\tchào\x00bạn\n", "xin chào bạn"},
		{" \n\t ", ""},
		{"a\xffb", "a b"},
		{"-v zz", "-v zz"},
	} {
		if got := prepare(tc.in); got != tc.want {
			t.Errorf("prepare(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	got := prepare(long)
	if len(got) > MaxTextBytes || !utf8.ValidString(got) || len(got) < MaxTextBytes-3 {
		t.Errorf("long text prepared to %d bytes (valid %v), want just under %d", len(got), utf8.ValidString(got), MaxTextBytes)
	}
}

func FuzzPrepare(f *testing.F) {
	for _, s := range []string{greeting, norm.NFD.String(greeting), "", "\x00\xff", "-v x", strings.Repeat("ộ", 5000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := prepare(in)
		if !utf8.ValidString(out) {
			t.Fatalf("prepare(%q) is not valid UTF-8", in)
		}
		if len(out) > MaxTextBytes {
			t.Fatalf("prepare gave %d bytes", len(out))
		}
		if strings.ContainsFunc(out, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("prepare(%q) = %q keeps control characters", in, out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("prepare(%q) = %q is not trimmed", in, out)
		}
		if len(in) <= MaxTextBytes/4 && !norm.NFC.IsNormalString(out) {
			t.Fatalf("prepare(%q) = %q is not NFC", in, out)
		}
	})
}

func FuzzParseWAV(f *testing.F) {
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\"V\x00\x00D\xac\x00\x00\x02\x00\x10\x00data\x02\x00\x00\x00\x00\x00"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Add([]byte("RIFF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := parseWAV(b)
		if err == nil && int(w.dataBytes) > len(b) {
			t.Fatalf("data size %d beyond %d bytes of input", w.dataBytes, len(b))
		}
		_ = w.duration()
	})
}

func BenchmarkPrepare(b *testing.B) {
	text := norm.NFD.String(greeting)
	for b.Loop() {
		prepare(text)
	}
}
