package central

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tramso/tramso/kiosk/dossier"
	"golang.org/x/text/unicode/norm"
)

func TestStatusCodesAndLabels(t *testing.T) {
	want := map[int]string{1: "Mới đăng ký", 2: "Được tiếp nhận", 3: "Không được tiếp nhận", 4: "Đang xử lý",
		5: "Yêu cầu bổ sung giấy tờ", 6: "Yêu cầu thực hiện nghĩa vụ tài chính", 7: "Công dân yêu cầu rút hồ sơ",
		8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"}
	for c := 0; c <= 11; c++ {
		vi, en := dossier.Status(c).Label()
		if vi != want[c] || (vi == "") != (en == "") {
			t.Errorf("dossier.Status(%d).Label() = %q, %q", c, vi, en)
		}
		if vi != norm.NFC.String(vi) {
			t.Errorf("label %d not NFC", c)
		}
		// The lifecycle status of a national code maps back to a code of the same kind.
		if l := LifecycleOf(dossier.Status(c)); (l == "") != (vi == "") {
			t.Errorf("LifecycleOf(%d) = %q", c, l)
		}
	}
	for _, s := range []string{StatusReceived, StatusProcessing, StatusNeedDocuments, StatusCompleted, StatusReturned, StatusRefused, StatusWithdrawn} {
		c := StatusCodeOf(s)
		if c == 0 || LifecycleOf(c) != s {
			t.Errorf("%s → %d → %s", s, c, LifecycleOf(c))
		}
	}
	if StatusCodeOf("lost") != 0 {
		t.Error("unknown lifecycle status mapped")
	}
}

func TestNotifyContactsChecked(t *testing.T) {
	for in, want := range map[string]string{
		"0901234567": "+84901234567", "090 123 4567": "+84901234567", "+84 912.345.678": "+84912345678",
		"84386123456": "+84386123456", "0591234567": "+84591234567",
		"0241234567": "", "090123456": "", "09012345678": "", "+1 415 555 0100": "", "090-123-456a": "", "": "", "09+01234567": "",
	} {
		got, err := NormalizePhone(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"an@example.vn": "an@example.vn", " An.Nguyen@Mail.GOV.VN ": "An.Nguyen@mail.gov.vn",
		"an@": "", "@example.vn": "", "an@localhost": "", "An <an@example.vn>": "", "an@@example.vn": "", "an@[10.0.0.1]": "", "an@example.": "",
	} {
		got, err := NormalizeEmail(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	ok := NotifyOptIn{Channels: []string{ChannelZalo}, Phone: "0912345678", ConsentAt: time.Now()}
	if err := ok.Check(); err != nil || ok.Phone != "+84912345678" {
		t.Fatalf("zalo opt-in: %v %q", err, ok.Phone)
	}
	for name, n := range map[string]NotifyOptIn{
		"no channel":     {ConsentAt: time.Now()},
		"twice":          {Channels: []string{"sms", "sms"}, Phone: "0912345678", ConsentAt: time.Now()},
		"email no addr":  {Channels: []string{"email"}, ConsentAt: time.Now()},
		"sms no phone":   {Channels: []string{"sms"}, ConsentAt: time.Now()},
		"e-mail unasked": {Channels: []string{"sms"}, Phone: "0912345678", Email: "a@b.vn", ConsentAt: time.Now()},
		"no consent":     {Channels: []string{"sms"}, Phone: "0912345678"},
	} {
		if err := n.Check(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestRatingChecked(t *testing.T) {
	now := time.Now()
	ok := Rating{ID: "r1", Subject: RatingOfDossier, DossierCode: "000.00.21.H26-251124-0417", Level: RatingDissatisfied,
		Reasons: []string{"cho-lau"}, Comment: "  Chờ lâu quá  ", RatedAt: now}
	if err := ok.Check(); err != nil || ok.Comment != "Chờ lâu quá" {
		t.Fatalf("good rating: %v %q", err, ok.Comment)
	}
	for _, r := range RatingReasons() {
		if r.Code == "" || r.VI == "" || r.EN == "" {
			t.Errorf("reason %+v incomplete", r)
		}
	}
	for _, l := range []string{RatingVerySatisfied, RatingSatisfied, RatingDissatisfied} {
		if vi, _ := RatingLabel(l); vi == "" {
			t.Errorf("no label for %s", l)
		}
	}
	if vi, _ := RatingLabel(RatingVerySatisfied); vi != "Rất hài lòng" {
		t.Errorf("label %q", vi)
	}
	for name, mut := range map[string]func(*Rating){
		"no id":             func(r *Rating) { r.ID = "" },
		"id with slash":     func(r *Rating) { r.ID = "a/b" },
		"bad code":          func(r *Rating) { r.DossierCode = "H26-1" },
		"kiosk with code":   func(r *Rating) { r.Subject = RatingOfKiosk },
		"other subject":     func(r *Rating) { r.Subject = "officer" },
		"comment when fine": func(r *Rating) { r.Level = RatingSatisfied; r.Reasons = nil },
		"reason when fine":  func(r *Rating) { r.Level = RatingVerySatisfied; r.Comment = "" },
		"unknown reason":    func(r *Rating) { r.Reasons = []string{"gio-mua"} },
		"repeated reason":   func(r *Rating) { r.Reasons = []string{"cho-lau", "cho-lau"} },
		"long comment":      func(r *Rating) { r.Comment = strings.Repeat("á", 501) },
		"no time":           func(r *Rating) { r.RatedAt = time.Time{} },
	} {
		r := ok
		mut(&r)
		if err := r.Check(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestHolderProofSigningBytesCoverEveryField(t *testing.T) {
	base := HolderProof{IDHash: HolderIDHash("001189012345"), PassiveAuth: "valid", ReadAt: time.Unix(1700000000, 0), DossierCode: "X"}
	for name, mut := range map[string]func(*HolderProof){
		"id":   func(p *HolderProof) { p.IDHash = HolderIDHash("001189012346") },
		"pa":   func(p *HolderProof) { p.PassiveAuth = "invalid" },
		"time": func(p *HolderProof) { p.ReadAt = p.ReadAt.Add(time.Second) },
		"code": func(p *HolderProof) { p.DossierCode = "Y" },
	} {
		p := base
		mut(&p)
		if string(p.SigningBytes()) == string(base.SigningBytes()) {
			t.Errorf("%s not covered by the signature", name)
		}
	}
	if strings.Contains(string(base.SigningBytes()), "001189012345") {
		t.Error("the ID number itself is in the signed bytes")
	}
}

// TestOpenAPIDocumentsTheServices keeps openapi.yaml and the service constants together.
func TestOpenAPIDocumentsTheServices(t *testing.T) {
	b, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, s := range []string{PathTracker + "/{code}:", PathTrackerHolder + ":", PathQueueCounters + ":",
		PathQueueCounters + "/{id}/call:", PathQueueCounters + "/{id}/recall:", PathQueueCounters + "/{id}/pause:",
		PathQueueCounters + "/{id}/resume:", PathQueueTickets + ":", PathQueueTickets + "/{id}:", PathQueueEvents + ":",
		PathRatings + "/{id}:", PathPayments + "/{dossierCode}:", "/v1/dossiers/{idempotencyKey}/notifications:",
		HeaderOfficerID, ProblemNotAllowed, ProblemAlreadyRated, ProblemCounterPaused, ProblemProofRefused,
		EventTicketIssued, EventTicketCalled, EventTicketRecalled, EventCounterPaused, EventCounterResumed,
		RatingVerySatisfied, RatingSatisfied, RatingDissatisfied, PaymentUnpaid, PaymentPaid, ChannelZalo,
		"Yêu cầu thực hiện nghĩa vụ tài chính", "text/event-stream", "Last-Event-ID"} {
		if !strings.Contains(doc, s) {
			t.Errorf("openapi.yaml does not mention %q", s)
		}
	}
	for _, r := range RatingReasons() {
		if !strings.Contains(doc, r.Code) {
			t.Errorf("openapi.yaml does not list the reason %q", r.Code)
		}
	}
}

func TestQueueEventStreamParsing(t *testing.T) {
	stream := ": ping\n\nid: 7\nevent: ticket_called\ndata: {\"id\":7,\"type\":\"ticket_called\",\r\ndata: \"counterId\":\"1\",\"number\":\"A003\"}\r\n\r\n" +
		"retry: 100\n\nid: 8\ndata:{\"id\":8,\"type\":\"counter_paused\",\"reason\":\"Nghỉ\"}\n\nid: 9\ndata: {\"id\":9"
	var got []QueueEvent
	if err := readQueueEvents(strings.NewReader(stream), func(ev QueueEvent) error { got = append(got, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	// The unfinished event at the end is not delivered.
	if len(got) != 2 || got[0].Number != "A003" || got[0].CounterID != "1" || got[1].Reason != "Nghỉ" {
		t.Fatalf("events %+v", got)
	}
	if err := readQueueEvents(strings.NewReader("data: {nonsense\n\n"), func(QueueEvent) error { return nil }); err == nil {
		t.Fatal("a broken event was accepted")
	}
	long := "data: \"" + strings.Repeat("x", 70<<10) + "\"\n\n"
	if err := readQueueEvents(strings.NewReader(long), func(QueueEvent) error { return nil }); err == nil {
		t.Fatal("a 70 KiB line was accepted")
	}
}

func FuzzReadQueueEvents(f *testing.F) {
	f.Add("id: 1\nevent: ticket_issued\ndata: {\"id\":1,\"type\":\"ticket_issued\",\"number\":\"A001\"}\n\n")
	f.Add(": ping\n\n")
	f.Add("data: {\"id\":2}\ndata: \n\n")
	f.Fuzz(func(t *testing.T, s string) {
		n := 0
		readQueueEvents(strings.NewReader(s), func(QueueEvent) error { n++; return nil })
		if n > strings.Count(s, "\n")/2+1 {
			t.Fatalf("%d events from %d lines", n, strings.Count(s, "\n"))
		}
	})
}

func FuzzNotifyContacts(f *testing.F) {
	for _, s := range []string{"0901234567", "+84 912.345.678", "an@example.vn", "An <an@example.vn>", "", "@", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := NormalizePhone(s); err == nil {
			if len(p) != 12 || !strings.HasPrefix(p, "+84") {
				t.Fatalf("NormalizePhone(%q) = %q", s, p)
			}
			if q, err := NormalizePhone(p); err != nil || q != p {
				t.Fatalf("not stable: %q → %q %v", p, q, err)
			}
		}
		if e, err := NormalizeEmail(s); err == nil {
			if q, err := NormalizeEmail(e); err != nil || q != e {
				t.Fatalf("not stable: %q → %q %v", e, q, err)
			}
		}
	})
}
