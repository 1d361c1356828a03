package devserver

import "testing"

// The catalogue served to kiosks says how many originals and copies of each paper to bring, so a
// kiosk that syncs it can show them on the procedure's detail.
func TestCatalogueCarriesCounts(t *testing.T) {
	for _, p := range starterCatalogue().Procedures {
		if p.Code != "2.000815" {
			continue
		}
		got := map[string][2]int{}
		for _, d := range p.Documents {
			got[d.Type] = [2]int{d.Originals, d.Copies}
		}
		if got["ban-chinh"] != [2]int{1, 0} || got["ban-sao"] != [2]int{0, 1} {
			t.Fatalf("certified copy's papers: %v", got)
		}
		return
	}
	t.Fatal("the certified copy (2.000815) is not in the served catalogue")
}
