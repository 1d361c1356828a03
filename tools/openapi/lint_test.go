// Package openapi holds the independent checkers of tramso's OpenAPI documents, npm packages that
// make deps installs here (package.json, package-lock.json): Redocly CLI lints the local API's and
// the central API's documents with its recommended rules, and Prism, in proxy mode, checks the real
// requests and answers of the development central server and of kioskd --sim against them.
// TRAMSO_REQUIRE_REDOCLY=1 and TRAMSO_REQUIRE_PRISM=1 make the tests fail instead of skipping when
// the tools are missing.
package openapi

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// redocly finds the Redocly CLI that make deps installed, and fails instead of skipping under make
// test (TRAMSO_REQUIRE_REDOCLY=1).
func redocly(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join("node_modules", ".bin", "redocly"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("TRAMSO_REQUIRE_REDOCLY") == "1" {
			t.Fatalf("Redocly CLI missing: run make deps (npm ci --prefix tools/openapi): %v", err)
		}
		t.Skip("Redocly CLI missing: run make deps")
	}
	return bin
}

// TestDocumentsLintClean lints both documents with Redocly's recommended rules, in one run: no error
// and no warning. A flow-style YAML line that splits at a comma into a bogus property, an operation
// without declared security, or a response missing its 4xx are each reported here.
func TestDocumentsLintClean(t *testing.T) {
	t.Parallel()
	bin := redocly(t)
	docs := []string{"../../kiosk/api/openapi.yaml", "../../kiosk/central/openapi.yaml"}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"lint", "--extends=recommended", "--format=codeframe"}, docs...)...)
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
	for _, doc := range docs {
		if !regexp.MustCompile(regexp.QuoteMeta(doc) + `: validated in`).Match(out) {
			t.Errorf("redocly lint gave no verdict on %s:\n%s", doc, out)
		}
	}
	if regexp.MustCompile(`(?m)\b[1-9][0-9]* warnings?\b`).Match(out) {
		t.Errorf("redocly lint warns:\n%s", out)
	}
}

// Redocly is not silent: a document with a flow-style description split at its comma and an
// operation without declared security fails the lint, naming both.
func TestLintCatchesFlowStyleAndMissingSecurity(t *testing.T) {
	t.Parallel()
	bin := redocly(t)
	doc := filepath.Join(t.TempDir(), "bad.yaml")
	bad := `openapi: 3.1.0
info:
  title: bad
  version: "1"
  license: {name: none, identifier: LicenseRef-none}
servers:
  - url: http://example.invalid
paths:
  /v1/x:
    get:
      operationId: getX
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  title: {type: string, description: Vietnamese first, English in parentheses.}
        "404": {description: none}
`
	if err := os.WriteFile(doc, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "lint", "--extends=recommended", "--format=stylish", doc)
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("redocly lint passed a bad document:\n%s", out)
	}
	for _, want := range []string{"struct", "English in parentheses.", "security-defined"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).Match(out) {
			t.Errorf("redocly lint did not report %q:\n%s", want, out)
		}
	}
}
