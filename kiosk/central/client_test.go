package central

import (
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"": 0, "3": 3 * time.Second, "-1": 0, "x": 0, "999999999": 24 * time.Hour,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}

func TestPermanent(t *testing.T) {
	for code, want := range map[int]bool{400: true, 413: true, 422: true, 401: false, 404: false, 408: false, 409: false, 429: false, 500: false, 503: false} {
		if got := Permanent(&Error{StatusCode: code}); got != want {
			t.Errorf("%d: %v", code, got)
		}
	}
	if Permanent(errors.New("connection reset")) {
		t.Error("network error permanent")
	}
}

// TestOpenAPIDocumentsThePaths keeps openapi.yaml and the Go constants together.
func TestOpenAPIDocumentsThePaths(t *testing.T) {
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, s := range []string{"openapi: 3.1.0", PathEnrolments + ":", PathProcedures + ":", PathUploads + ":",
		PathUploads + "/{id}:", PathDossiers + ":", PathDossiers + "/{idempotencyKey}:", PathHeartbeat + ":",
		HeaderIdempotencyKey, HeaderUploadOffset, HeaderUploadComplete, ContentTypeProblem, ContentTypeChunk,
		ProblemAttachmentMissing, ProblemKeyReused, ProblemBadSignature, ProblemOffsetMismatch, ProblemInProgress,
		StatusReceived, StatusNeedDocuments, StatusReturned} {
		if !strings.Contains(doc, s) {
			t.Errorf("openapi.yaml does not mention %q", s)
		}
	}
}
