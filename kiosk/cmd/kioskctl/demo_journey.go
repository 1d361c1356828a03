//go:build !nosim

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/tramso/tramso/kiosk/api/client"
	"github.com/tramso/tramso/kiosk/api/wire"
)

// demoSheetTitles are the titles of the simulated scanner's sample sheets (POST /v1/sim/scanner
// {"load": n}: sheet n is the n-th), the line their digitised copies begin with (kiosk/daemon's
// sample sheets).
func demoSheetTitles() []string {
	return []string{"TỜ KHAI ĐĂNG KÝ KHAI SINH", "GIẤY CHỨNG SINH", "BẢN SAO CĂN CƯỚC"}
}

// demoPaper is the sample sheet the demo citizen puts in the feeder for a document type, and its
// title: the papers of birth registration, and for signature attestation the ID card copy and,
// as the paper whose signature is attested, the declaration form the citizen signed.
func demoPaper(docType string) (sheet int, title string, ok bool) {
	switch docType {
	case "to-khai-khai-sinh", "van-ban-can-chung-thuc":
		sheet = 1
	case "giay-chung-sinh":
		sheet = 2
	case "giay-to-tuy-than":
		sheet = 3
	default:
		return 0, "", false
	}
	return sheet, demoSheetTitles()[sheet-1], true
}

// demoCase is what one journey of the demo citizen files.
type demoCase struct {
	search, code string // the words searched in the catalogue, the procedure chosen among the results
	// detail: the citizen opens the procedure's detail (what to bring) before going on with it.
	detail bool
	// fields are typed on the review screen (set_field): the values neither the card nor the OCR gives.
	fields map[string]string
	// fee is the fee central asks at the end of the session, paid by VietQR; 0: a free procedure,
	// and a payment screen is an error.
	fee int64
	// form is the file the review form is written to ("" for none).
	form string
	// lamps: the cabinet's card and receipt lamps are read back (up to 2 s each).
	lamps bool
}

// birthCase is the demo's main journey: birth registration, its detail looked at first.
func birthCase() demoCase {
	return demoCase{search: "khai sinh", code: "1.001193", detail: true, form: "form.json", lamps: true}
}

// journey plays the main journey and saves its receipt and the central server's copy of the dossier.
func (d *demo) journey(ctx context.Context) error {
	v, err := d.play(ctx, birthCase())
	if err != nil {
		return err
	}
	return d.collect(ctx, v.Receipt.DossierCode)
}

// play plays the citizen through c and returns the done view. Like a person at the screen it looks
// at the current view, decides what to do on it, and names that view in its action; when kioskd
// answers that the screen had already changed (409), it looks again and decides anew, never
// sending the same tap blindly. Each paper is loaded for the document the view shows.
func (d *demo) play(ctx context.Context, c demoCase) (wire.View, error) {
	const citizen = "tran-van-an"
	sim := func(method, name string, body any) error { return d.c.Sim(ctx, method, name, body, nil) }
	var (
		started, qrShown, cardPlaced, identified bool
		detailSeen, paySeen                      bool
		loaded                                   = map[int]string{} // document index → type of the paper scanned into it
		tries                                    = map[string]int{} // decisions per view, to stop a demo going round in circles
		refused                                  int
		began                                    = time.Now()
	)
	v, err := d.c.View(ctx)
	if err != nil {
		return v, err
	}
	for {
		if demoBusy(v) {
			if v, err = d.changed(ctx, v); err != nil {
				return v, err
			}
			continue
		}
		act, value := wire.ActionName(""), ""
		switch v.State {
		case wire.Attract:
			if started {
				return v, fmt.Errorf("phiên bị xóa giữa chừng (the session was wiped midway): %+v", v.Message)
			}
			act = wire.ActStart
		case wire.Identify:
			switch {
			case cardPlaced && v.Message != nil && v.Message.Code != "card_keep_still":
				return v, fmt.Errorf("thẻ không đọc được (card not read): [%s] %s", v.Message.Code, v.Message.Vi)
			case v.Step == wire.StepQR && !qrShown:
				if err := sim(http.MethodPost, "qr", map[string]any{"citizen": citizen}); err != nil {
					return v, err
				}
				qrShown = true
				d.note("công dân đưa mã QR trên thẻ vào máy quét (the citizen shows the card's QR code)")
			case v.Step == wire.StepCard && !cardPlaced:
				if c.lamps {
					d.note("đèn \"đặt thẻ tại đây\" của tủ kiosk (the cabinet's card lamp): %s", d.lamp(ctx, "card", "on"))
				}
				if err := sim(http.MethodPost, "card", map[string]any{"citizen": citizen}); err != nil {
					return v, err
				}
				cardPlaced = true
				d.note("công dân đặt thẻ CCCD lên đầu đọc (the citizen puts the card on the reader)")
			}
		case wire.ChooseProcedure:
			if !identified {
				identified = true
				d.note("kiosk đã đọc và xác thực thẻ: %s, %s, xác thực thụ động %s", v.Citizen.FullName, v.Citizen.IDMasked, v.Citizen.PassiveAuth)
				sim(http.MethodDelete, "card", nil)
			}
			switch {
			case v.Step == wire.StepProcedure:
				if !detailSeen {
					if err := d.detail(ctx, v, c.code, began); err != nil {
						return v, err
					}
					detailSeen = true
				}
				act, value = wire.ActChoose, c.code
			case v.Query != c.search:
				act, value = wire.ActSearch, c.search
			case c.detail && !detailSeen:
				act, value = wire.ActProcedure, c.code
			default:
				act, value = wire.ActChoose, c.code
			}
		case wire.Documents:
			if v.Current < 0 || v.Current >= len(v.Documents) {
				return v, fmt.Errorf("màn hình giấy tờ không có giấy tờ %d (no document %d on the screen)", v.Current, v.Current)
			}
			doc := v.Documents[v.Current]
			sheet, _, known := demoPaper(doc.Type)
			switch {
			case v.Step == wire.StepPlace && !doc.Required:
				d.note("bỏ qua giấy tờ không bắt buộc (optional, skipped): %s", doc.Name)
				act = wire.ActSkip
			case v.Step == wire.StepPlace && !known:
				return v, fmt.Errorf("công dân giả lập không có giấy tờ %s (the demo citizen has no paper for it)", doc.Type)
			case v.Step == wire.StepPlace:
				// The paper of the document this view asks for, loaded now, scanned on this view.
				if err := sim(http.MethodPost, "scanner", map[string]any{"load": sheet, "pages": d.pages}); err != nil {
					return v, err
				}
				loaded[v.Current] = doc.Type
				act = wire.ActScan
			case v.Step == wire.StepPreview && loaded[v.Current] != doc.Type:
				d.note("trang trên màn hình không phải giấy vừa nạp cho %s: quét lại (not the paper loaded for it: rescan)", doc.Name)
				act = wire.ActRescan
			case v.Step == wire.StepPreview && !doc.PreviewReady:
				// The citizen looks at the page before accepting it: wait for its preview.
			case v.Step == wire.StepPreview && v.Message != nil && v.Message.Retry:
				d.note("kiosk cảnh báo (the kiosk warns) [%s] %s: quét lại (rescan)", v.Message.Code, v.Message.Vi)
				act = wire.ActRescan
			case v.Step == wire.StepPreview:
				d.note("đã quét (scanned) %s: %d trang, cảnh báo chất lượng (quality warnings): %d", doc.Name, doc.Pages, len(doc.Quality))
				act = wire.ActAccept
			}
		case wire.Review:
			if v.Step == wire.StepEditing {
				if v, err = d.typeFields(ctx, v, c.fields); err != nil {
					return v, err
				}
				for _, f := range v.Form {
					d.note("biểu mẫu (form): %s = %q (nguồn/source %s)", f.Label, f.Value, f.Source)
				}
				if c.form != "" {
					if err := writeJSON(filepath.Join(d.out, c.form), v.Form); err != nil {
						return v, err
					}
				}
				act = wire.ActConfirm
			}
		case wire.Consent:
			act = wire.ActAgree
		case wire.Payment:
			var p *wire.PaymentView
			if v.Services != nil {
				p = v.Services.Payment
			}
			switch {
			case c.fee == 0:
				return v, fmt.Errorf("thủ tục miễn phí mà kiosk đòi phí (a free procedure asks for a fee): %+v", p)
			case v.Step == wire.StepPayQR && v.Message != nil:
				return v, fmt.Errorf("kiosk chưa xác nhận khoản phí (the fee not confirmed): [%s] %s", v.Message.Code, v.Message.Vi)
			case v.Step == wire.StepPayQR && p != nil && p.VietQR != "" && !paySeen:
				if err := d.pay(ctx, p, c.fee, began); err != nil {
					return v, err
				}
				paySeen = true
			}
		case wire.Receipt:
			if v.Step == wire.StepPrintFail {
				return v, fmt.Errorf("biên nhận chưa in (receipt not printed): %+v", v.Message)
			}
		case wire.Done:
			if v.Receipt == nil || !v.Receipt.Printed {
				return v, fmt.Errorf("biên nhận chưa in (receipt not printed): %+v", v.Message)
			}
			if c.fee > 0 && !paySeen {
				return v, fmt.Errorf("không có màn hình thanh toán phí %d đồng (no payment screen for the fee)", c.fee)
			}
			if c.detail && !detailSeen {
				return v, errors.New("chưa xem chi tiết thủ tục (the procedure's detail was not shown)")
			}
			kind := "chính thức (official)"
			if v.Receipt.Provisional {
				kind = "tạm (provisional)"
			}
			d.note("biên nhận đã in, mã hồ sơ %s %s (receipt printed)", kind, v.Receipt.DossierCode)
			if c.lamps {
				d.note("đèn \"nhận biên nhận\" của tủ kiosk (the cabinet's receipt lamp): %s", d.lamp(ctx, "receipt", "on"))
			}
			return v, nil
		}
		if act == "" { // nothing to do on this view: wait for the next one
			if v, err = d.changed(ctx, v); err != nil {
				return v, err
			}
			continue
		}
		key := fmt.Sprintf("%s/%s/%d/%s", v.State, v.Step, v.Current, act)
		if tries[key]++; tries[key] > 3 {
			return v, fmt.Errorf("công dân giả lập lặp lại %s quá nhiều lần (the demo citizen is going round in circles)", key)
		}
		nv, err := d.c.ActOn(ctx, v, act, value)
		var p *client.Problem
		switch {
		case err == nil:
		case errors.As(err, &p) && p.Status == http.StatusConflict && p.View != nil:
			// The screen had changed (or the tap did not apply to it): nothing was done. Look again.
			if refused++; refused > 20 {
				return v, fmt.Errorf("kioskd từ chối quá nhiều thao tác (too many refused actions): %w", err)
			}
			d.record(fmt.Sprintf("kioskd từ chối %s trên %s/%s (giấy tờ %d): %s; xem lại màn hình (refused; looking again)",
				act, v.State, v.Step, v.Current, p.Detail))
			if v = *p.View; !errors.Is(err, client.ErrStale) {
				// The tap does not apply to the view as it is: decide again once it changes.
				wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				v, err = d.changed(wctx, v)
				cancel()
				if err != nil {
					return v, err
				}
			}
			continue
		default:
			return v, fmt.Errorf("%s: %w", act, err)
		}
		started = true
		switch act {
		case wire.ActStart:
			d.note("công dân chạm màn hình để bắt đầu (the citizen touches the screen to start)")
		case wire.ActSearch:
			d.note("tìm \"%s\": %d thủ tục (search: %d procedures)", c.search, len(nv.Procedures), len(nv.Procedures))
		case wire.ActProcedure:
			d.note("công dân chạm vào thủ tục để xem chi tiết (the citizen taps the procedure for its detail)")
		case wire.ActChoose:
			d.note("chọn thủ tục (procedure chosen): %s, %d giấy tờ", nv.Procedure.Name, len(nv.Documents))
		case wire.ActConfirm:
			if nv.State == wire.Consent {
				d.note("công dân xác nhận biểu mẫu, đọc phần đồng ý (form confirmed; the consent screen)")
			}
		case wire.ActAgree:
			d.note("công dân đồng ý và nộp hồ sơ (consent given, dossier submitted)")
		}
		v = nv
	}
}
