package engine

/*
#cgo LDFLAGS: -lgomp
#include <omp.h>
static void singleThreadOMP(void) { omp_set_max_active_levels(0); omp_set_num_threads(1); }
static int ompMaxThreads(void) { return omp_get_max_threads(); }
static int ompMaxActiveLevels(void) { return omp_get_max_active_levels(); }
static void manyThreadsOMP(int n) { omp_set_max_active_levels(1); omp_set_num_threads(n); }
*/
import "C"

// singleThreadOpenMP makes OpenMP parallel regions started from the calling OS thread (Tesseract's
// LSTM uses them) run on that one thread, the effect of OMP_THREAD_LIMIT=1 for a process that
// cannot set it before start: parallelism comes from the pool, one page per engine. The setting
// belongs to the thread (an OpenMP internal control variable of its implicit task), so it is made
// on the thread that then calls Tesseract, with the goroutine locked to it.
func singleThreadOpenMP() { C.singleThreadOMP() }

// ompMaxThreads is the number of threads an OpenMP parallel region started from the calling OS
// thread would use.
func ompMaxThreads() int { return int(C.ompMaxThreads()) }

// ompMaxActiveLevels is the number of nested parallel regions that may run with more than one
// thread when started from the calling OS thread (0: none).
func ompMaxActiveLevels() int { return int(C.ompMaxActiveLevels()) }

// manyThreadsOpenMP gives the calling OS thread OpenMP's multi-threaded defaults (one active level,
// n threads), as a thread OpenMP was never told about has on a machine with n cores: for the test
// that recognition takes them back to one thread.
func manyThreadsOpenMP(n int) { C.manyThreadsOMP(C.int(n)) }
