// Package lowprio runs CPU-heavy background work (page clean-up and OCR) at a lower scheduling
// priority than the touchscreen, so the citizen's screen stays smooth while a dossier is digitised on
// every core.
package lowprio

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Nice is the niceness background work runs at (0 normal … 19 lowest).
const Nice = 10

// Run calls fn on an OS thread of its own whose niceness is raised to Nice, and returns when fn
// does. The thread is never handed back to the Go scheduler (an unprivileged process cannot lower
// a niceness again): it ends with fn. Work fn starts on other goroutines runs at normal priority.
// When the priority cannot be changed fn still runs, at normal priority.
func Run(fn func()) {
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // not unlocked: the thread exits with this goroutine
		defer close(done)
		_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), Nice)
		fn()
	}()
	<-done
}
