package lowprio

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// threadNice reads the niceness of the calling thread from /proc.
func threadNice(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		t.Skip("no /proc/thread-self:", err)
	}
	s := string(b)
	fs := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	n, err := strconv.Atoi(fs[16]) // field 19 of stat: nice
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunLowersOnlyItsThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := threadNice(t)
	var inside int
	var policy uint32
	Run(func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		inside = threadNice(t)
		if a, err := unix.SchedGetAttr(0, 0); err == nil {
			policy = a.Policy
		}
	})
	if inside != Nice {
		t.Errorf("niceness inside Run = %d, want %d", inside, Nice)
	}
	if policy != unix.SCHED_BATCH {
		t.Errorf("scheduling policy inside Run = %d, want SCHED_BATCH (%d)", policy, unix.SCHED_BATCH)
	}
	if after := threadNice(t); after != before {
		t.Errorf("caller's thread niceness changed from %d to %d", before, after)
	}
	// Many runs: no niced thread comes back into the pool to slow down other goroutines.
	for range 20 {
		Run(func() {})
	}
	for range 20 {
		done := make(chan int)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			done <- threadNice(t)
		}()
		if n := <-done; n != before {
			t.Fatalf("an ordinary goroutine ran at niceness %d (a niced thread was reused)", n)
		}
	}
}
