package engine

/*
#cgo LDFLAGS: -lgomp
#include <omp.h>
static void singleThreadOMP(void) { omp_set_max_active_levels(0); omp_set_num_threads(1); }
*/
import "C"

// singleThreadOpenMP makes every OpenMP parallel region in the process (Tesseract's LSTM uses them)
// run on one thread, the effect of OMP_THREAD_LIMIT=1 for a process that cannot set it before start:
// parallelism comes from the pool, one page per engine.
func singleThreadOpenMP() { C.singleThreadOMP() }
