package wire

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// The typed words marshal as the plain strings the local API has always sent.
func TestVocabularyJSON(t *testing.T) {
	doc := 0
	v := View{Seq: 7, Session: "ab12", State: Documents, Step: StepPreview, Current: 0,
		Citizen:   &CitizenView{FullName: "Trần Văn Ẩn", IDMasked: "********1234", PassiveAuth: PassivePending},
		Documents: []DocumentView{{Type: "giay-a", Name: "Giấy A", Required: true, Status: DocProcessing, Pages: 1}},
		Form:      []FieldView{{Key: "sex", Label: "Giới tính", Kind: FieldChoice, Value: "Nữ", Choices: []string{"Nam", "Nữ"}, Source: SourceOCR}},
		Receipt:   &ReceiptView{DossierCode: "K01", ReceivedAt: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)},
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"seq":7,"session":"ab12","state":"documents","step":"preview","idleWarning":false,` +
		`"citizen":{"fullName":"Trần Văn Ẩn","idMasked":"********1234","passiveAuth":"pending"},` +
		`"documents":[{"type":"giay-a","name":"Giấy A","required":true,"status":"processing","pages":1}],"current":0,` +
		`"form":[{"key":"sex","label":"Giới tính","kind":"choice","value":"Nữ","required":false,"choices":["Nam","Nữ"],"source":"ocr"}],` +
		`"receipt":{"dossierCode":"K01","provisional":false,"printed":false,"receivedAt":"2026-12-07T08:00:00Z"}}`
	if string(got) != want {
		t.Errorf("view:\n got %s\nwant %s", got, want)
	}
	a := ActionOn(v, ActSetField, "Nam")
	a.Key = "sex"
	got, _ = json.Marshal(a)
	if want := `{"action":"set_field","value":"Nam","key":"sex","session":"ab12","state":"documents","step":"preview","document":0}`; string(got) != want {
		t.Errorf("action:\n got %s\nwant %s", got, want)
	}
	var back Action
	if err := json.Unmarshal(got, &back); err != nil || back.Action != ActSetField || back.Step != StepPreview || back.Document == nil || *back.Document != doc {
		t.Errorf("action read back: %+v %v", back, err)
	}
}

// The local API's description lists the same words as the constants.
func TestVocabularyMatchesOpenAPI(t *testing.T) {
	b, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	spec := string(b)
	enum := func(field string) []string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^\s+` + field + `: \{type: string, enum: \[([^\]]*)\]`).FindStringSubmatch(spec)
		if m == nil {
			t.Fatalf("no enum for %s in openapi.yaml", field)
		}
		out := strings.Split(m[1], ", ")
		slices.Sort(out)
		return out
	}
	words := func(ws ...string) []string {
		slices.Sort(ws)
		return ws
	}
	for _, c := range []struct {
		field string
		words []string
	}{
		{"state", words(string(Attract), string(Identify), string(ChooseProcedure), string(Documents), string(Review),
			string(Consent), string(Submitting), string(Receipt), string(Done),
			string(Tracker), string(Queue), string(Rating), string(Payment))},
		{"status", words(string(DocMissing), string(DocScanned), string(DocProcessing), string(DocDone), string(DocSkipped), string(DocFailed))},
		// A view's field shows the kind the catalogue's province, commune and sex kinds resolve to.
		{"kind", words(string(FieldText), string(FieldDate), string(FieldNumber), string(FieldChoice))},
		{"source", words(string(SourceCard), string(SourceOCR), string(SourceCitizen))},
		// The results of a read, and pending while the card is verified.
		{"passiveAuth", words(string(PassiveValid), string(PassiveInvalid), string(PassiveUnverified), string(PassivePending))},
	} {
		if got := enum(c.field); !slices.Equal(got, c.words) {
			t.Errorf("%s: openapi.yaml lists %q, the constants are %q", c.field, got, c.words)
		}
	}
	steps := regexp.MustCompile(`(?m)^\s+description: "identify: (.*)"$`).FindStringSubmatch(spec)
	if steps == nil {
		t.Fatal("no description of the steps in openapi.yaml")
	}
	for _, s := range []Step{StepQR, StepCard, StepReading, StepTypeKey, StepPlace, StepScanning, StepPreview,
		StepProcessing, StepEditing, StepPrinting, StepPrinted, StepPrintFail,
		StepTrackWay, StepTrackCode, StepTrackCard, StepTrackReading, StepTrackLookup, StepTrackList, StepTrackResult,
		StepQueueChoose, StepQueueTaking, StepQueueTicket, StepRateLevel, StepRateReasons, StepRateThanks,
		StepPayQR, StepPayPaid, StepPayUnpaid, StepProcedure} {
		if !regexp.MustCompile(`\b` + string(s) + `\b`).MatchString(steps[1]) {
			t.Errorf("step %s is not described in openapi.yaml", s)
		}
	}
	actions := spec[strings.Index(spec, "Actions: start"):]
	actions = actions[:strings.Index(actions, "\n\n")]
	for _, a := range []ActionName{ActStart, ActCancel, ActMoreTime, ActTypeKey, ActEnterID, ActEnterMRZ, ActSearch,
		ActChoose, ActScan, ActAccept, ActRescan, ActKeep, ActSkip, ActSetField, ActConfirm, ActAgree, ActBack, ActFinish,
		ActTrack, ActTrackType, ActTrackCard, ActTrackCode, ActTrackSelect, ActPrintStatus, ActQueue, ActTakeTicket,
		ActRate, ActRateReason, ActRateComment, ActRateSend, ActPay, ActPayLater, ActPrintChecklist, ActProcedure, ActNotifyChannel, ActNotifyContact} {
		if !regexp.MustCompile(`\b` + string(a) + `\b`).MatchString(actions) {
			t.Errorf("action %s is not described in openapi.yaml", a)
		}
	}
}
