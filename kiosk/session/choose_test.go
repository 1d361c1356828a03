package session

import (
	"errors"
	"testing"

	"github.com/tramso/tramso/kiosk/api/wire"
	"github.com/tramso/tramso/kiosk/catalog"
)

// The procedure's detail in the transition table (transition_test.go): picked from the list, it
// asks the queue service which counter serves the procedure; from it the citizen goes on (choose),
// prints the list or goes back to the list.
func init() {
	transitionEvents["procedure"] = action(wire.ActProcedure, "T1", nil)
	transitionEvents["procedure unknown"] = action(wire.ActProcedure, "9.999999", nil)
	detail := []string{"start", "enter_id", "card read", "procedure"}
	transitionStates = append(transitionStates, []struct {
		name string
		walk []string
	}{
		{"choose_procedure/procedure, asking", detail},
		{"choose_procedure/procedure", append(append([]string{}, detail...), "central answers")},
	}...)
	transitionCells["choose_procedure"]["procedure"] = "choose_procedure/procedure"
	transitionCells["choose_procedure"]["procedure unknown"] = "!invalid"
	cells := map[string]string{
		"choose": "documents/place#0", "choose T2": "!invalid", "back": "choose_procedure",
		"print_checklist": "choose_procedure/procedure",
		// Not from the detail: another procedure, a search or the queue wait for the list.
		"procedure": "!now", "procedure unknown": "!now", "choose unknown": "!invalid",
	}
	asking := map[string]string{
		// The counter serving the procedure is named; offline or not found, the place configured
		// stays and nothing on the screen changes.
		"central answers": "choose_procedure/procedure", "central offline": "=", "central not found": "=",
	}
	transitionCells["choose_procedure/procedure"] = cells
	transitionCells["choose_procedure/procedure, asking"] = map[string]string{}
	for _, cs := range []map[string]string{cells, asking} {
		for ev, want := range cs {
			transitionCells["choose_procedure/procedure, asking"][ev] = want
		}
	}
}

const detailPage = "https://dichvucong.example.vn/thu-tuc?ma={code}"

// detailCatalogue has a procedure whose papers say how many originals and copies to bring.
const detailCatalogue = `{"version": "t", "procedures": [{"code": "T1", "name": "Thủ tục thử", "fee": "Miễn phí",
	"processingTime": "Trong ngày",
	"documents": [{"type": "giay-a", "name": "Giấy A", "required": true, "originals": 1, "copies": 2},
		{"type": "giay-b", "name": "Giấy B"}],
	"fields": [{"key": "name", "label": "Họ tên", "kind": "text", "required": true, "from": "citizen.fullName"}]},
	{"code": "T2", "name": "Thủ tục khác", "documents": [{"type": "giay-a", "name": "Giấy A", "required": true}],
	"fields": [{"key": "name", "label": "Họ tên", "kind": "text", "required": true, "from": "citizen.fullName"}]}]}`

// detailRig is a rig on the choose_procedure screen with the page address and place configured.
func detailRig(t *testing.T) *rig {
	t.Helper()
	cat, err := catalog.Parse([]byte(detailCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, cat)
	r.m.cfg.ProcedurePage, r.m.cfg.Where = detailPage, "Bộ phận Một cửa"
	for _, ev := range []string{"start", "enter_id", "card read"} {
		if err, _ := transitionEvents[ev].do(r); err != nil {
			t.Fatalf("%s: %v", ev, err)
		}
		r.collect()
	}
	if got := viewLabel(r.s.view()); got != "choose_procedure" {
		t.Fatalf("at %s", got)
	}
	return r
}

// The detail shows the papers with their originals and copies, the page's address (the printed
// list's) and where to go: the place configured, then the counter the queue service names; going
// on keeps them for the checklist of the documents screen.
func TestProcedureDetailView(t *testing.T) {
	r := detailRig(t)
	defer r.stop()
	list := r.s.view()
	if list.Procedure != nil {
		t.Fatalf("the list shows a procedure: %+v", list.Procedure)
	}
	if err := r.do(wire.ActionOn(list, wire.ActProcedure, "T1")); err != nil {
		t.Fatal(err)
	}
	r.collect()
	v := r.s.view()
	if viewLabel(v) != "choose_procedure/procedure" || v.Procedure == nil {
		t.Fatalf("at %s, procedure %+v", viewLabel(v), v.Procedure)
	}
	if v.Procedure.PageURL != "https://dichvucong.example.vn/thu-tuc?ma=T1" || v.Procedure.Where != "Bộ phận Một cửa" ||
		v.Procedure.Fee != "Miễn phí" || v.Procedure.ProcessingTime != "Trong ngày" {
		t.Errorf("procedure %+v", *v.Procedure)
	}
	if len(v.Documents) != 2 || v.Documents[0].Originals != 1 || v.Documents[0].Copies != 2 ||
		v.Documents[1].Originals != 0 || v.Documents[1].Copies != 0 || v.Documents[0].Status != wire.DocMissing {
		t.Errorf("documents %+v", v.Documents)
	}
	if err, _ := transitionEvents["central answers"].do(r); err != nil {
		t.Fatal(err)
	}
	v = r.s.view()
	if want := "Quầy 1 · Hộ tịch, Bộ phận Một cửa"; v.Procedure.Where != want {
		t.Errorf("where %q, want %q", v.Procedure.Where, want)
	}
	// A tap on the list made before the detail came (a double tap on the row) is refused.
	if err := r.do(wire.ActionOn(list, wire.ActChoose, "T2")); !errors.Is(err, ErrStale) {
		t.Fatalf("a choose made on the list: %v, want ErrStale", err)
	}
	if err := r.do(wire.ActionOn(v, wire.ActChoose, "T1")); err != nil {
		t.Fatal(err)
	}
	r.collect()
	d := r.s.view()
	if viewLabel(d) != "documents/place#0" || d.Procedure == nil || d.Procedure.Where != v.Procedure.Where || d.Procedure.PageURL != v.Procedure.PageURL {
		t.Fatalf("at %s, procedure %+v", viewLabel(d), d.Procedure)
	}
	// Back from the documents and to the list: another procedure starts from the place configured.
	if err := r.do(wire.ActionOn(d, wire.ActBack, "")); err != nil {
		t.Fatal(err)
	}
	if err := r.do(wire.ActionOn(r.s.view(), wire.ActProcedure, "T2")); err != nil {
		t.Fatal(err)
	}
	if got := r.s.view().Procedure; got == nil || got.Code != "T2" || got.Where != "Bộ phận Một cửa" {
		t.Fatalf("procedure %+v", got)
	}
}

// Back returns to the list as it was (the search kept), without the procedure; the answer of the
// queue service asked for it lands nowhere.
func TestProcedureDetailBack(t *testing.T) {
	r := detailRig(t)
	defer r.stop()
	if err := r.do(wire.ActionOn(r.s.view(), wire.ActSearch, "thử")); err != nil {
		t.Fatal(err)
	}
	if err := r.do(wire.ActionOn(r.s.view(), wire.ActProcedure, "T1")); err != nil {
		t.Fatal(err)
	}
	r.collect()
	if err := r.do(wire.ActionOn(r.s.view(), wire.ActBack, "")); err != nil {
		t.Fatal(err)
	}
	r.collect() // the question to the queue service ends with the detail
	v := r.s.view()
	if viewLabel(v) != "choose_procedure" || v.Procedure != nil || len(v.Documents) != 0 || v.Query != "thử" || len(v.Procedures) == 0 {
		t.Fatalf("back: %s procedure %+v documents %d query %q", viewLabel(v), v.Procedure, len(v.Documents), v.Query)
	}
	if n := r.outstanding("central"); n != 0 {
		t.Fatalf("%d calls to the queue service still outstanding after back", n)
	}
	// Timed out on the detail: wiped to the attract screen.
	if err := r.do(wire.ActionOn(v, wire.ActProcedure, "T1")); err != nil {
		t.Fatal(err)
	}
	r.collect()
	if err, _ := transitionEvents["idle timeout"].do(r); err != nil {
		t.Fatal(err)
	}
	if got := viewLabel(r.s.view()); got != "attract" {
		t.Fatalf("after the idle timeout: %s", got)
	}
}
