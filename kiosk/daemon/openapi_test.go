package daemon

import (
	"os"
	"strings"
	"testing"
)

// Every route kioskd serves is described in the local API's OpenAPI document.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{}
	routes := []string{"GET /v1/session", "POST /v1/session/actions", "GET /v1/session/events",
		"GET /v1/session/documents/{doc}/pages/{page}", "GET /v1/health"}
	for r := range d.staffHandlers() {
		routes = append(routes, r)
	}
	for r := range (&Sim{}).Handlers() {
		routes = append(routes, r)
	}
	for _, r := range routes {
		_, path, _ := strings.Cut(r, " ")
		if strings.HasPrefix(path, "/v1/sim/") {
			continue // described together under /v1/sim/{control}
		}
		if !strings.Contains(string(doc), "\n  "+path+":") {
			t.Errorf("route %s is not in kiosk/api/openapi.yaml", r)
		}
	}
	if !strings.Contains(string(doc), "/v1/sim/{control}") {
		t.Error("the simulator routes are not described")
	}
}
