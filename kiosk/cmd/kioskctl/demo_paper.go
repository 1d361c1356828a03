//go:build !nosim

package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/tramso/tramso/internal/vntext"
)

// ErrWrongPaper is a delivered copy that is not the paper the demo loaded for its document.
var ErrWrongPaper = errors.New("bản số không phải giấy tờ đã nạp cho nó (the digitised copy is another paper)")

// checkPaper checks that the delivered PDF of a document of type docType is the paper the demo
// loaded for it: the first line of its text layer (pdftotext, poppler-utils) is that paper's title.
func checkPaper(ctx context.Context, path, docType string) error {
	if _, _, ok := demoPaper(docType); !ok {
		return nil // not a paper of the demo citizen's
	}
	out, err := exec.CommandContext(ctx, "pdftotext", "-l", "1", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		return fmt.Errorf("không đọc được chữ của bản số bằng pdftotext, cần poppler-utils (cannot read the copy's text): %w", err)
	}
	first := ""
	for _, line := range strings.Split(string(out), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			first = line
			break
		}
	}
	return paperMatches(docType, first)
}

// checkSigned checks with pdfsig (poppler-utils) that the copy carries the kiosk's signature and
// that the signed bytes are intact. Whether the certificate is trusted depends on pdfsig's
// certificate store; the tests check that against the CA.
func checkSigned(ctx context.Context, path string) error {
	out, _ := exec.CommandContext(ctx, "pdfsig", path).CombinedOutput() // exit status varies with trust
	if !strings.Contains(string(out), "Signature is Valid.") {
		return fmt.Errorf("bản số không mang chữ ký số hợp lệ (the copy has no valid signature): %s", strings.TrimSpace(string(out)))
	}
	return nil
}

// paperMatches checks that first, the first line of a digitised copy, is the title of the paper of
// docType: nearer to it than to any other sheet's title (after folding case and diacritics, so that
// a tone mark misread by the OCR does not count) and within a quarter of its letters.
func paperMatches(docType, first string) error {
	_, want, _ := demoPaper(docType)
	got := foldTitle(first)
	best, bestDist := "", -1
	for _, title := range demoSheetTitles() {
		if dist := editDistance(foldTitle(title), got); bestDist < 0 || dist < bestDist {
			best, bestDist = title, dist
		}
	}
	if best != want || bestDist > len([]rune(foldTitle(want)))/4 {
		return fmt.Errorf("%w: %s bắt đầu bằng %q, cần %q (begins with %q, not %q)", ErrWrongPaper, docType, first, want, first, want)
	}
	return nil
}

// foldTitle is s in capitals without diacritics, spaces collapsed.
func foldTitle(s string) string { return strings.ToUpper(vntext.Fold(s)) }

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
