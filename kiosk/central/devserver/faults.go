package devserver

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
)

// Fault is one kind of failure the development server can inject into a request.
type Fault string

// The fault kinds of --faults.
const (
	FaultNone  Fault = ""
	Fault500   Fault = "500"   // answer 500 with a problem document, before doing anything
	FaultReset Fault = "reset" // reset the TCP connection: mid-body for uploads (keeping what arrived), instead of the answer otherwise
	FaultSlow  Fault = "slow"  // wait Config.SlowDelay before handling the request
	FaultHang  Fault = "hang"  // never answer (until the client gives up or Config.HangMax passes)
	Fault429   Fault = "429"   // answer 429 with Retry-After
)

// faultOrder is the order in which probabilities are rolled; at most one fault per request.
var faultOrder = [...]Fault{FaultHang, FaultReset, Fault500, Fault429, FaultSlow}

// Faults maps fault kinds to the probability (0…1) of injecting them into a request.
type Faults map[Fault]float64

// ParseFaults reads the --faults syntax: comma-separated kind=probability pairs, kinds 500, reset,
// slow, hang, 429, e.g. "500=0.1,reset=0.05,429=0.1". An empty spec means no faults.
func ParseFaults(spec string) (Faults, error) {
	f := Faults{}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return f, nil
	}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("lỗi giả lập %q thiếu '=' (fault %q lacks '=')", part, part)
		}
		kind := Fault(strings.TrimSpace(k))
		known := false
		for _, o := range faultOrder {
			known = known || o == kind
		}
		if !known {
			return nil, fmt.Errorf("loại lỗi giả lập không có: %q (unknown fault kind; use 500, reset, slow, hang, 429)", k)
		}
		p, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || p < 0 || p > 1 || p != p {
			return nil, fmt.Errorf("xác suất của %s phải trong 0…1 (probability of %s must be within 0…1)", kind, kind)
		}
		if _, dup := f[kind]; dup {
			return nil, fmt.Errorf("lỗi giả lập %s lặp lại (fault %s given twice)", kind, kind)
		}
		f[kind] = p
	}
	return f, nil
}

// String formats f in the --faults syntax, in a fixed order.
func (f Faults) String() string {
	var parts []string
	for _, k := range faultOrder {
		if p, ok := f[k]; ok {
			parts = append(parts, string(k)+"="+strconv.FormatFloat(p, 'g', -1, 64))
		}
	}
	return strings.Join(parts, ",")
}

// Decide draws the fault for one request, at random with f's probabilities.
func (f Faults) Decide(*http.Request) Fault {
	for _, k := range faultOrder {
		if p := f[k]; p > 0 && rand.Float64() < p {
			return k
		}
	}
	return FaultNone
}
