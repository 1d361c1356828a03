// Package lowprio runs CPU-heavy background work (scanned-page decoding, clean-up and OCR) below the
// touchscreen: the citizen's screen stays smooth while a dossier is digitised on every core, and
// the work still gets every cycle the screen does not use. It is not starved either: under other
// CPU-bound work at normal priority it keeps about a tenth of a core's share, where the idle
// scheduling class would get almost nothing (a demo under two busy loops stalled for minutes).
package lowprio

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Nice is the niceness background work runs at where the idle scheduling class is refused.
const Nice = 10

// Run calls fn on an OS thread of its own at niceness Nice in Linux's batch scheduling class
// (SCHED_BATCH: treated as CPU-bound, so it does not preempt the screen's thread on wake-up), and
// returns when fn does. The
// thread is never handed back to the Go scheduler (an unprivileged process cannot raise a thread's
// priority again): it ends with fn. Goroutines fn starts run at normal priority. When the priority
// cannot be changed fn still runs, at normal priority.
func Run(fn func()) {
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // not unlocked: the thread exits with this goroutine
		defer close(done)
		tid := unix.Gettid()
		_ = unix.Setpriority(unix.PRIO_PROCESS, tid, Nice)
		_ = unix.SchedSetAttr(tid, &unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_BATCH, Nice: Nice}, 0)
		fn()
	}()
	<-done
}
